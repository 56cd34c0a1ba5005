//! The words Baton writes, per language: greetings, the category bodies of
//! the suggested reply, the summary's sentences and the register tables for
//! "formal" and "casual". Every table has the same placeholders, checked by
//! the tests below, so a reply reads whole in any of the seven languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    De,
    Fr,
    Pt,
    It,
    Nl,
}

impl Lang {
    pub const ALL: [Lang; 7] = [
        Lang::En,
        Lang::Es,
        Lang::De,
        Lang::Fr,
        Lang::Pt,
        Lang::It,
        Lang::Nl,
    ];
    pub fn code(self) -> &'static str {
        ["en", "es", "de", "fr", "pt", "it", "nl"][self as usize]
    }
    pub fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }
    pub fn name(self) -> &'static str {
        [
            "English",
            "Spanish",
            "German",
            "French",
            "Portuguese",
            "Italian",
            "Dutch",
        ][self as usize]
    }
}

/// One language's wording. Placeholders: `{name}`, `{team}`, `{order}`,
/// `{orders}`, `{order_clause}`, `{amount}`, `{amount_clause}`, `{email}`, `{who}`, `{topic}`, `{about}`,
/// `{quote}`, `{n}`.
pub struct Phrases {
    pub greeting_named: &'static str,
    pub greeting_anonymous: &'static str,
    pub sign_off: &'static str,
    /// Two equivalent bodies per category, in `Category::ALL` order.
    pub bodies: [[&'static str; 2]; 9],
    pub order_clause: &'static str,
    /// After the charge or refund noun: " of {amount}".
    pub amount_clause: &'static str,
    pub frustrated_opening: &'static str,
    pub safety_body: &'static str,
    pub legal_body: &'static str,
    pub security_body: &'static str,
    pub who_with_email: &'static str,
    pub a_customer: &'static str,
    pub a_customer_with_email: &'static str,
    pub needs_help: &'static str,
    /// What the customer wants, per category, as the summary names it.
    pub topics: [&'static str; 9],
    pub about_order: &'static str,
    pub about_orders: &'static str,
    pub they_wrote: &'static str,
    pub bot_replied_none: &'static str,
    pub bot_replied_once: &'static str,
    pub bot_replied_n: &'static str,
    /// Why it was handed over: phrase, frustration, sensitive, low
    /// confidence, none.
    pub why: [&'static str; 5],
    /// Register rewrites, applied in order (English uses compose's tables).
    pub formal: &'static [(&'static str, &'static str)],
    pub casual: &'static [(&'static str, &'static str)],
}

static EN: Phrases = Phrases {
    greeting_named: "Hi {name},",
    greeting_anonymous: "Hi there,",
    sign_off: "Best regards,\nThe {team} team",
    bodies: [
        [
            "Thanks for flagging this charge{amount_clause}{order_clause}. I'm reviewing the charges on your account now and will confirm exactly what happened.",
            "Thanks for letting us know about this charge{amount_clause}{order_clause}. I'm checking your billing history and will get back to you with what I find and the options we have.",
        ],
        [
            "I understand you'd like a refund{amount_clause}{order_clause}. I'm looking at your purchase now and will let you know what we can do and the next steps.",
            "Thanks for explaining why you'd like a refund{amount_clause}{order_clause}. I'm reviewing the details and will follow up with the options available to you.",
        ],
        [
            "Thanks for the details about this problem. I'm looking into it and will update you as soon as I know more. If you have a screenshot or the exact error message, please send it over.",
            "Thanks for describing what's happening. I'm investigating it with our team now and will come back to you with what we find. Any screenshot or error text you can share will help.",
        ],
        [
            "Thanks for reaching out about your account access. I'm checking it now and will help you regain access safely. For your security, please don't share your password with anyone, including us.",
            "I'm looking into your account access and will guide you through getting back in securely. Please never send us your password.",
        ],
        [
            "Thanks for getting in touch about your delivery{order_clause}. I'm checking its status and delivery details now and will update you with what I find.",
            "I'm looking into where your delivery{order_clause} is and will get back to you with an update.",
        ],
        [
            "Thanks for your interest! I'd be glad to help you find the right option. Could you tell me a little more about what you need, such as team size and timing? I'll follow up with details.",
            "Thanks for getting in touch about our plans. I'm happy to walk you through the options that fit your needs and will follow up with the details.",
        ],
        [
            "I understand you'd like to cancel{order_clause}. I'm looking at your account now and will confirm the next steps and anything that affects you, such as billing dates.",
            "Thanks for letting us know you want to cancel{order_clause}. I'm reviewing your account and will follow up to make sure it's handled the way you want.",
        ],
        [
            "Thank you for taking the time to share this. I've passed your feedback to the team, and it genuinely helps us improve.",
            "Thanks for your feedback, we really appreciate it. I've shared it with the people who work on this.",
        ],
        [
            "Thanks for your question. I'm looking into it and will get back to you with a clear answer.",
            "Thanks for reaching out. I'm checking this for you and will follow up shortly with the information you need.",
        ],
    ],
    order_clause: " for order {order}",
    amount_clause: " of {amount}",
    frustrated_opening: "I'm sorry about the trouble this has caused.",
    safety_body: "Your safety comes first: if anyone is in danger, please call your local emergency number now. Stop using the product and keep away from it. A person on our team is handling this with priority.",
    legal_body: "Thanks for writing. A person on our team is reviewing your message and will respond to you.",
    security_body: "Please change your password now and sign out of other devices if you can. A person on our team is checking your account with priority.",
    who_with_email: "{name} ({email})",
    a_customer: "A customer",
    a_customer_with_email: "A customer ({email})",
    needs_help: "{who} needs help with {topic}{about}.",
    topics: [
        "a billing problem",
        "a refund",
        "a technical problem",
        "access to their account",
        "an order and its delivery",
        "buying or pricing",
        "cancelling",
        "feedback on their experience",
        "a general question",
    ],
    about_order: " about order {order}",
    about_orders: " about orders {orders}",
    they_wrote: " They wrote: \u{201c}{quote}\u{201d}",
    bot_replied_none: "The chat AI had not answered yet",
    bot_replied_once: "The chat AI replied once",
    bot_replied_n: "The chat AI replied {n} times",
    why: [
        "before the customer asked for a person",
        "but the customer grew frustrated",
        "before a sensitive topic came up",
        "but was not confident in its answer",
        "and the conversation was handed over",
    ],
    formal: &[],
    casual: &[],
};

static ES: Phrases = Phrases {
    greeting_named: "Hola, {name}:",
    greeting_anonymous: "Hola:",
    sign_off: "Un saludo,\nEl equipo de {team}",
    bodies: [
        [
            "Gracias por avisarnos de este cargo{amount_clause}{order_clause}. Estoy revisando los cargos de su cuenta y le confirmaré exactamente qué ha pasado.",
            "Gracias por escribirnos sobre este cobro{amount_clause}{order_clause}. Estoy revisando su historial de facturación y le responderé con lo que encuentre y las opciones que tenemos.",
        ],
        [
            "Entiendo que desea un reembolso{amount_clause}{order_clause}. Estoy revisando su compra y le diré qué podemos hacer y cuáles son los siguientes pasos.",
            "Gracias por explicarnos por qué quiere un reembolso{amount_clause}{order_clause}. Estoy revisando los detalles y le escribiré con las opciones disponibles.",
        ],
        [
            "Gracias por los detalles del problema. Lo estoy investigando y le escribiré en cuanto sepa más. Si tiene una captura de pantalla o el mensaje de error exacto, envíenoslo, por favor.",
            "Gracias por contarnos lo que ocurre. Lo estoy revisando con nuestro equipo y le responderé con lo que encontremos. Cualquier captura o texto del error nos ayudará.",
        ],
        [
            "Gracias por escribirnos sobre el acceso a su cuenta. La estoy revisando y le ayudaré a recuperar el acceso de forma segura. Por su seguridad, no comparta su contraseña con nadie, tampoco con nosotros.",
            "Estoy revisando el acceso a su cuenta y le guiaré para volver a entrar de forma segura. Por favor, nunca nos envíe su contraseña.",
        ],
        [
            "Gracias por escribirnos sobre su envío{order_clause}. Estoy comprobando su estado y los datos de entrega y le informaré de lo que encuentre.",
            "Estoy averiguando dónde está su envío{order_clause} y le escribiré con novedades.",
        ],
        [
            "¡Gracias por su interés! Con gusto le ayudo a encontrar la opción adecuada. ¿Podría contarme un poco más sobre lo que necesita, como el tamaño del equipo y los plazos? Le escribiré con los detalles.",
            "Gracias por escribirnos sobre nuestros planes. Con gusto le explico las opciones que se ajustan a lo que necesita y le enviaré los detalles.",
        ],
        [
            "Entiendo que desea cancelar{order_clause}. Estoy revisando su cuenta y le confirmaré los siguientes pasos y todo lo que le afecte, como las fechas de facturación.",
            "Gracias por avisarnos de que quiere cancelar{order_clause}. Estoy revisando su cuenta y me aseguraré de que se haga como usted desea.",
        ],
        [
            "Gracias por tomarse el tiempo de contarnos esto. He pasado sus comentarios al equipo y de verdad nos ayudan a mejorar.",
            "Gracias por sus comentarios, los valoramos mucho. Los he compartido con las personas que trabajan en esto.",
        ],
        [
            "Gracias por su pregunta. Lo estoy revisando y le responderé con una respuesta clara.",
            "Gracias por escribirnos. Lo estoy comprobando y le enviaré en breve la información que necesita.",
        ],
    ],
    order_clause: " (pedido {order})",
    amount_clause: " de {amount}",
    frustrated_opening: "Siento mucho las molestias.",
    safety_body: "Su seguridad es lo primero: si alguien está en peligro, llame ahora a los servicios de emergencia. Deje de usar el producto y aléjese de él. Una persona de nuestro equipo se está ocupando de esto con prioridad.",
    legal_body: "Gracias por escribirnos. Una persona de nuestro equipo está revisando su mensaje y le responderá.",
    security_body: "Por favor, cambie su contraseña ahora y cierre la sesión en otros dispositivos si puede. Una persona de nuestro equipo está revisando su cuenta con prioridad.",
    who_with_email: "{name} ({email})",
    a_customer: "Un cliente",
    a_customer_with_email: "Un cliente ({email})",
    needs_help: "{who} necesita ayuda con {topic}{about}.",
    topics: [
        "un problema de facturación",
        "un reembolso",
        "un problema técnico",
        "el acceso a su cuenta",
        "un pedido y su entrega",
        "una compra o los precios",
        "una cancelación",
        "una opinión sobre su experiencia",
        "una consulta general",
    ],
    about_order: " (pedido {order})",
    about_orders: " (pedidos {orders})",
    they_wrote: " Escribió: «{quote}»",
    bot_replied_none: "El chat de IA aún no había respondido",
    bot_replied_once: "El chat de IA respondió una vez",
    bot_replied_n: "El chat de IA respondió {n} veces",
    why: [
        "antes de que el cliente pidiera hablar con una persona",
        "pero el cliente se fue frustrando",
        "antes de que surgiera un tema delicado",
        "pero no estaba seguro de su respuesta",
        "y la conversación se pasó a una persona",
    ],
    formal: &[
        ("Hola, ", "Estimado/a "),
        ("Hola:", "Estimado/a cliente:"),
        ("Un saludo,", "Atentamente,"),
    ],
    casual: &[
        ("Estimado/a cliente:", "Hola:"),
        ("Estimado/a ", "Hola, "),
        ("Atentamente,", "Saludos,"),
        ("Un saludo,", "Saludos,"),
    ],
};

static DE: Phrases = Phrases {
    greeting_named: "Hallo {name},",
    greeting_anonymous: "Guten Tag,",
    sign_off: "Viele Grüße\nIhr {team}-Team",
    bodies: [
        [
            "Danke für den Hinweis auf diese Abbuchung{amount_clause}{order_clause}. Ich prüfe gerade die Buchungen auf Ihrem Konto und bestätige Ihnen genau, was passiert ist.",
            "Danke, dass Sie uns auf diese Zahlung{amount_clause}{order_clause} aufmerksam machen. Ich sehe mir Ihren Rechnungsverlauf an und melde mich mit dem Ergebnis und den möglichen Optionen.",
        ],
        [
            "Ich verstehe, dass Sie eine Erstattung{amount_clause}{order_clause} möchten. Ich sehe mir Ihren Kauf gerade an und sage Ihnen, was wir tun können und wie es weitergeht.",
            "Danke, dass Sie erklären, warum Sie eine Erstattung{amount_clause}{order_clause} möchten. Ich prüfe die Details und melde mich mit den Möglichkeiten, die Sie haben.",
        ],
        [
            "Danke für die Details zu dem Problem. Ich sehe mir das an und melde mich, sobald ich mehr weiß. Wenn Sie einen Screenshot oder die genaue Fehlermeldung haben, schicken Sie sie bitte mit.",
            "Danke für die Beschreibung. Ich untersuche das gerade mit unserem Team und melde mich mit dem Ergebnis. Ein Screenshot oder der Fehlertext hilft uns dabei.",
        ],
        [
            "Danke für Ihre Nachricht zum Zugang zu Ihrem Konto. Ich prüfe es gerade und helfe Ihnen, sicher wieder hineinzukommen. Bitte geben Sie Ihr Passwort niemandem weiter, auch uns nicht.",
            "Ich sehe mir den Zugang zu Ihrem Konto an und helfe Ihnen, sicher wieder hineinzukommen. Bitte schicken Sie uns niemals Ihr Passwort.",
        ],
        [
            "Danke für Ihre Nachricht zu Ihrer Lieferung{order_clause}. Ich prüfe gerade den Status und die Lieferdaten und melde mich mit dem, was ich finde.",
            "Ich schaue nach, wo Ihre Lieferung{order_clause} gerade ist, und melde mich mit einem Update.",
        ],
        [
            "Danke für Ihr Interesse! Ich helfe Ihnen gern, die passende Option zu finden. Können Sie mir etwas mehr darüber sagen, was Sie brauchen, etwa Teamgröße und Zeitrahmen? Ich melde mich dann mit den Details.",
            "Danke für Ihre Anfrage zu unseren Tarifen. Ich stelle Ihnen gern die Optionen vor, die zu Ihnen passen, und melde mich mit den Details.",
        ],
        [
            "Ich verstehe, dass Sie kündigen möchten{order_clause}. Ich sehe mir Ihr Konto an und bestätige Ihnen die nächsten Schritte und alles, was Sie betrifft, etwa Abrechnungstermine.",
            "Danke, dass Sie uns Bescheid geben, dass Sie kündigen möchten{order_clause}. Ich prüfe Ihr Konto und sorge dafür, dass alles so erledigt wird, wie Sie es möchten.",
        ],
        [
            "Danke, dass Sie sich die Zeit für diese Rückmeldung genommen haben. Ich habe sie an das Team weitergegeben, sie hilft uns wirklich, besser zu werden.",
            "Danke für Ihr Feedback, wir wissen es sehr zu schätzen. Ich habe es an die Kolleginnen und Kollegen weitergeleitet, die daran arbeiten.",
        ],
        [
            "Danke für Ihre Frage. Ich sehe mir das an und melde mich mit einer klaren Antwort.",
            "Danke für Ihre Nachricht. Ich prüfe das für Sie und melde mich in Kürze mit den Informationen, die Sie brauchen.",
        ],
    ],
    order_clause: " (Bestellung {order})",
    amount_clause: " über {amount}",
    frustrated_opening: "Es tut mir leid, dass Sie diesen Ärger haben.",
    safety_body: "Ihre Sicherheit geht vor: Wenn jemand in Gefahr ist, rufen Sie bitte sofort den Notruf 112. Benutzen Sie das Produkt nicht weiter und halten Sie Abstand. Eine Person aus unserem Team kümmert sich vorrangig darum.",
    legal_body: "Danke für Ihre Nachricht. Eine Person aus unserem Team prüft sie und antwortet Ihnen.",
    security_body: "Bitte ändern Sie jetzt Ihr Passwort und melden Sie sich, wenn möglich, auf anderen Geräten ab. Eine Person aus unserem Team prüft Ihr Konto vorrangig.",
    who_with_email: "{name} ({email})",
    a_customer: "Ein Kunde",
    a_customer_with_email: "Ein Kunde ({email})",
    needs_help: "{who} braucht Hilfe bei {topic}{about}.",
    topics: [
        "einem Abrechnungsproblem",
        "einer Erstattung",
        "einem technischen Problem",
        "dem Zugang zum Konto",
        "einer Bestellung und ihrer Lieferung",
        "einem Kauf oder Preisen",
        "einer Kündigung",
        "einer Rückmeldung zum Erlebnis",
        "einer allgemeinen Frage",
    ],
    about_order: " (Bestellung {order})",
    about_orders: " (Bestellungen {orders})",
    they_wrote: " Zitat: \u{201e}{quote}\u{201c}",
    bot_replied_none: "Der Chat-Assistent hatte noch nicht geantwortet,",
    bot_replied_once: "Der Chat-Assistent hat einmal geantwortet,",
    bot_replied_n: "Der Chat-Assistent hat {n}-mal geantwortet,",
    why: [
        "bevor der Kunde nach einer Person gefragt hat",
        "aber der Kunde wurde zunehmend frustriert",
        "bevor ein heikles Thema aufkam",
        "war sich seiner Antwort aber nicht sicher",
        "danach wurde das Gespräch übergeben",
    ],
    formal: &[
        ("Hallo ", "Sehr geehrte(r) "),
        ("Guten Tag,", "Sehr geehrte Damen und Herren,"),
        ("Viele Grüße", "Mit freundlichen Grüßen"),
    ],
    casual: &[
        ("Sehr geehrte Damen und Herren,", "Hallo,"),
        ("Sehr geehrte(r) ", "Hallo "),
        ("Guten Tag,", "Hallo,"),
        ("Mit freundlichen Grüßen", "Viele Grüße"),
        ("Viele Grüße", "Liebe Grüße"),
    ],
};

static FR: Phrases = Phrases {
    greeting_named: "Bonjour {name},",
    greeting_anonymous: "Bonjour,",
    sign_off: "Bien cordialement,\nL'équipe {team}",
    bodies: [
        [
            "Merci de nous avoir signalé ce prélèvement{amount_clause}{order_clause}. Je vérifie les paiements sur votre compte et je vous confirmerai précisément ce qui s'est passé.",
            "Merci de nous avoir écrit au sujet de ce paiement{amount_clause}{order_clause}. J'examine votre historique de facturation et je reviens vers vous avec ce que je trouve et les options possibles.",
        ],
        [
            "Je comprends que vous souhaitez un remboursement{amount_clause}{order_clause}. J'examine votre achat et je vous dirai ce que nous pouvons faire et les prochaines étapes.",
            "Merci de nous avoir expliqué pourquoi vous souhaitez un remboursement{amount_clause}{order_clause}. Je vérifie les détails et je reviens vers vous avec les options disponibles.",
        ],
        [
            "Merci pour ces détails sur le problème. Je m'en occupe et je vous tiens au courant dès que j'en sais plus. Si vous avez une capture d'écran ou le message d'erreur exact, n'hésitez pas à nous l'envoyer.",
            "Merci d'avoir décrit ce qui se passe. J'étudie le problème avec notre équipe et je reviens vers vous avec ce que nous trouvons. Une capture d'écran ou le texte de l'erreur nous aidera.",
        ],
        [
            "Merci de nous avoir écrit au sujet de l'accès à votre compte. Je le vérifie et je vais vous aider à en retrouver l'accès en toute sécurité. Pour votre sécurité, ne communiquez votre mot de passe à personne, pas même à nous.",
            "Je regarde l'accès à votre compte et je vais vous guider pour vous reconnecter en toute sécurité. Ne nous envoyez jamais votre mot de passe.",
        ],
        [
            "Merci de nous avoir écrit au sujet de votre livraison{order_clause}. Je vérifie son statut et les informations de livraison et je vous tiens au courant.",
            "Je cherche où en est votre livraison{order_clause} et je reviens vers vous avec des nouvelles.",
        ],
        [
            "Merci de votre intérêt ! Je serai ravi de vous aider à trouver la bonne offre. Pourriez-vous m'en dire un peu plus sur vos besoins, par exemple la taille de l'équipe et le calendrier ? Je reviens vers vous avec les détails.",
            "Merci de nous avoir contactés au sujet de nos offres. Je vous présente volontiers celles qui correspondent à vos besoins et je reviens vers vous avec les détails.",
        ],
        [
            "Je comprends que vous souhaitez résilier{order_clause}. J'examine votre compte et je vous confirmerai les prochaines étapes et tout ce qui vous concerne, comme les dates de facturation.",
            "Merci de nous avoir prévenus que vous souhaitez résilier{order_clause}. Je vérifie votre compte et je m'assure que tout soit fait comme vous le souhaitez.",
        ],
        [
            "Merci d'avoir pris le temps de nous faire ce retour. Je l'ai transmis à l'équipe, il nous aide vraiment à nous améliorer.",
            "Merci pour votre retour, nous l'apprécions beaucoup. Je l'ai partagé avec les personnes qui travaillent sur ce sujet.",
        ],
        [
            "Merci pour votre question. Je me renseigne et je reviens vers vous avec une réponse claire.",
            "Merci de nous avoir contactés. Je vérifie cela pour vous et je reviens très vite vers vous avec les informations nécessaires.",
        ],
    ],
    order_clause: " (commande {order})",
    amount_clause: " de {amount}",
    frustrated_opening: "Je suis désolé pour ce désagrément.",
    safety_body: "Votre sécurité passe avant tout : si quelqu'un est en danger, appelez immédiatement les secours (112). Cessez d'utiliser le produit et tenez-vous à distance. Une personne de notre équipe traite votre demande en priorité.",
    legal_body: "Merci pour votre message. Une personne de notre équipe l'examine et vous répondra.",
    security_body: "Veuillez changer votre mot de passe dès maintenant et vous déconnecter de vos autres appareils si possible. Une personne de notre équipe vérifie votre compte en priorité.",
    who_with_email: "{name} ({email})",
    a_customer: "Un client",
    a_customer_with_email: "Un client ({email})",
    needs_help: "{who} a besoin d'aide pour {topic}{about}.",
    topics: [
        "un problème de facturation",
        "un remboursement",
        "un problème technique",
        "l'accès à son compte",
        "une commande et sa livraison",
        "un achat ou des tarifs",
        "une résiliation",
        "un retour sur son expérience",
        "une question générale",
    ],
    about_order: " (commande {order})",
    about_orders: " (commandes {orders})",
    they_wrote: " Message : « {quote} »",
    bot_replied_none: "Le chat IA n'avait pas encore répondu",
    bot_replied_once: "Le chat IA a répondu une fois",
    bot_replied_n: "Le chat IA a répondu {n} fois",
    why: [
        "avant que le client ne demande une personne",
        "mais le client s'est agacé",
        "avant qu'un sujet sensible ne soit abordé",
        "mais n'était pas sûr de sa réponse",
        "puis la conversation a été transférée",
    ],
    formal: &[
        (
            "Bien cordialement,",
            "Veuillez agréer nos salutations distinguées.",
        ),
        ("Merci pour", "Nous vous remercions pour"),
        ("Merci de", "Nous vous remercions de"),
        ("Merci d'", "Nous vous remercions d'"),
    ],
    casual: &[
        (
            "Veuillez agréer nos salutations distinguées.",
            "Bien cordialement,",
        ),
        ("Nous vous remercions pour", "Merci pour"),
        ("Nous vous remercions de", "Merci de"),
        ("Nous vous remercions d'", "Merci d'"),
        ("Bien cordialement,", "Bonne journée,"),
    ],
};

static PT: Phrases = Phrases {
    greeting_named: "Olá, {name},",
    greeting_anonymous: "Olá,",
    sign_off: "Atenciosamente,\nEquipe {team}",
    bodies: [
        [
            "Obrigado por nos avisar sobre esta cobrança{amount_clause}{order_clause}. Estou verificando as cobranças na sua conta e vou confirmar exatamente o que aconteceu.",
            "Obrigado por escrever sobre este pagamento{amount_clause}{order_clause}. Estou analisando seu histórico de faturamento e retorno com o que encontrar e as opções que temos.",
        ],
        [
            "Entendo que você gostaria de um reembolso{amount_clause}{order_clause}. Estou verificando sua compra e vou informar o que podemos fazer e os próximos passos.",
            "Obrigado por explicar por que você quer um reembolso{amount_clause}{order_clause}. Estou analisando os detalhes e retorno com as opções disponíveis.",
        ],
        [
            "Obrigado pelos detalhes do problema. Estou investigando e aviso assim que souber mais. Se tiver uma captura de tela ou a mensagem de erro exata, envie para nós, por favor.",
            "Obrigado por descrever o que está acontecendo. Estou analisando com a nossa equipe e retorno com o que descobrirmos. Qualquer captura de tela ou texto do erro ajuda.",
        ],
        [
            "Obrigado por falar conosco sobre o acesso à sua conta. Estou verificando e vou ajudar você a recuperar o acesso com segurança. Por segurança, não compartilhe sua senha com ninguém, nem conosco.",
            "Estou verificando o acesso à sua conta e vou orientar você para entrar de novo com segurança. Nunca nos envie sua senha.",
        ],
        [
            "Obrigado por falar conosco sobre a sua entrega{order_clause}. Estou verificando o status e os dados de entrega e aviso você do que encontrar.",
            "Estou verificando onde está a sua entrega{order_clause} e retorno com uma atualização.",
        ],
        [
            "Obrigado pelo interesse! Terei prazer em ajudar a encontrar a opção certa. Pode me contar um pouco mais sobre o que você precisa, como tamanho da equipe e prazos? Retorno com os detalhes.",
            "Obrigado pelo contato sobre nossos planos. Terei prazer em apresentar as opções que atendem ao que você precisa e retorno com os detalhes.",
        ],
        [
            "Entendo que você quer cancelar{order_clause}. Estou verificando sua conta e vou confirmar os próximos passos e tudo o que afeta você, como datas de cobrança.",
            "Obrigado por avisar que quer cancelar{order_clause}. Estou analisando sua conta e vou garantir que tudo seja feito como você deseja.",
        ],
        [
            "Obrigado por dedicar seu tempo a compartilhar isso. Passei seu comentário para a equipe, e isso realmente nos ajuda a melhorar.",
            "Obrigado pelo seu feedback, agradecemos muito. Compartilhei com as pessoas que trabalham nisso.",
        ],
        [
            "Obrigado pela pergunta. Estou verificando e retorno com uma resposta clara.",
            "Obrigado pelo contato. Estou verificando isso para você e retorno em breve com as informações de que precisa.",
        ],
    ],
    order_clause: " (pedido {order})",
    amount_clause: " de {amount}",
    frustrated_opening: "Sinto muito pelo transtorno.",
    safety_body: "Sua segurança vem primeiro: se alguém estiver em perigo, ligue agora para os serviços de emergência. Pare de usar o produto e mantenha distância. Uma pessoa da nossa equipe está cuidando disso com prioridade.",
    legal_body: "Obrigado pela mensagem. Uma pessoa da nossa equipe está analisando e vai responder a você.",
    security_body: "Por favor, troque sua senha agora e saia da conta nos outros dispositivos, se puder. Uma pessoa da nossa equipe está verificando sua conta com prioridade.",
    who_with_email: "{name} ({email})",
    a_customer: "Um cliente",
    a_customer_with_email: "Um cliente ({email})",
    needs_help: "{who} precisa de ajuda com {topic}{about}.",
    topics: [
        "um problema de cobrança",
        "um reembolso",
        "um problema técnico",
        "o acesso à conta",
        "um pedido e sua entrega",
        "uma compra ou preços",
        "um cancelamento",
        "um comentário sobre a experiência",
        "uma dúvida geral",
    ],
    about_order: " (pedido {order})",
    about_orders: " (pedidos {orders})",
    they_wrote: " Escreveu: \u{201c}{quote}\u{201d}",
    bot_replied_none: "O chat de IA ainda não tinha respondido",
    bot_replied_once: "O chat de IA respondeu uma vez",
    bot_replied_n: "O chat de IA respondeu {n} vezes",
    why: [
        "antes de o cliente pedir uma pessoa",
        "mas o cliente ficou frustrado",
        "antes de surgir um assunto delicado",
        "mas não tinha certeza da resposta",
        "e a conversa foi transferida",
    ],
    formal: &[("Olá, ", "Prezado(a) "), ("Olá,", "Prezado(a) cliente,")],
    casual: &[
        ("Prezado(a) cliente,", "Oi,"),
        ("Prezado(a) ", "Oi, "),
        ("Olá", "Oi"),
        ("Atenciosamente,", "Abraços,"),
    ],
};

static IT: Phrases = Phrases {
    greeting_named: "Buongiorno {name},",
    greeting_anonymous: "Buongiorno,",
    sign_off: "Cordiali saluti,\nIl team {team}",
    bodies: [
        [
            "Grazie per averci segnalato questo addebito{amount_clause}{order_clause}. Sto controllando gli addebiti sul Suo account e Le confermerò esattamente cosa è successo.",
            "Grazie per averci scritto riguardo a questo pagamento{amount_clause}{order_clause}. Sto esaminando la cronologia di fatturazione e Le farò sapere cosa trovo e quali opzioni abbiamo.",
        ],
        [
            "Capisco che desidera un rimborso{amount_clause}{order_clause}. Sto esaminando il Suo acquisto e Le dirò cosa possiamo fare e quali sono i prossimi passi.",
            "Grazie per averci spiegato perché desidera un rimborso{amount_clause}{order_clause}. Sto verificando i dettagli e Le scriverò con le opzioni disponibili.",
        ],
        [
            "Grazie per i dettagli sul problema. Ci sto lavorando e La aggiornerò appena ne so di più. Se ha uno screenshot o il messaggio di errore esatto, ce lo invii per favore.",
            "Grazie per aver descritto cosa succede. Lo sto analizzando con il nostro team e Le farò sapere cosa troviamo. Uno screenshot o il testo dell'errore ci aiuterà.",
        ],
        [
            "Grazie per averci scritto riguardo all'accesso al Suo account. Lo sto verificando e La aiuterò a recuperare l'accesso in sicurezza. Per la Sua sicurezza, non condivida la password con nessuno, nemmeno con noi.",
            "Sto verificando l'accesso al Suo account e La guiderò per rientrare in sicurezza. Non ci invii mai la Sua password.",
        ],
        [
            "Grazie per averci scritto riguardo alla Sua spedizione{order_clause}. Sto controllando lo stato e i dati di consegna e La aggiornerò su ciò che trovo.",
            "Sto verificando dove si trova la Sua spedizione{order_clause} e Le farò sapere al più presto.",
        ],
        [
            "Grazie per l'interesse! Sarò lieto di aiutarLa a trovare l'opzione giusta. Può dirmi qualcosa in più su ciò che Le serve, ad esempio le dimensioni del team e i tempi? Le scriverò con i dettagli.",
            "Grazie per averci contattato riguardo ai nostri piani. Le presento volentieri le opzioni adatte alle Sue esigenze e Le invierò i dettagli.",
        ],
        [
            "Capisco che desidera disdire{order_clause}. Sto esaminando il Suo account e Le confermerò i prossimi passi e tutto ciò che La riguarda, come le date di fatturazione.",
            "Grazie per averci fatto sapere che desidera disdire{order_clause}. Sto verificando il Suo account e mi assicurerò che tutto venga gestito come desidera.",
        ],
        [
            "Grazie per aver dedicato del tempo a condividere questo. Ho inoltrato il Suo feedback al team, ci aiuta davvero a migliorare.",
            "Grazie per il Suo feedback, lo apprezziamo molto. L'ho condiviso con le persone che se ne occupano.",
        ],
        [
            "Grazie per la domanda. Sto verificando e Le risponderò con una risposta chiara.",
            "Grazie per averci contattato. Sto controllando per Lei e Le invierò a breve le informazioni di cui ha bisogno.",
        ],
    ],
    order_clause: " (ordine {order})",
    amount_clause: " di {amount}",
    frustrated_opening: "Mi dispiace molto per il disagio.",
    safety_body: "La Sua sicurezza viene prima di tutto: se qualcuno è in pericolo, chiami subito il 112. Smetta di usare il prodotto e se ne tenga lontano. Una persona del nostro team se ne sta occupando con priorità.",
    legal_body: "Grazie per il messaggio. Una persona del nostro team lo sta esaminando e Le risponderà.",
    security_body: "Cambi subito la password e, se possibile, esca dall'account sugli altri dispositivi. Una persona del nostro team sta controllando il Suo account con priorità.",
    who_with_email: "{name} ({email})",
    a_customer: "Un cliente",
    a_customer_with_email: "Un cliente ({email})",
    needs_help: "{who} ha bisogno di aiuto per {topic}{about}.",
    topics: [
        "un problema di fatturazione",
        "un rimborso",
        "un problema tecnico",
        "l'accesso all'account",
        "un ordine e la sua consegna",
        "un acquisto o i prezzi",
        "una disdetta",
        "un feedback sulla sua esperienza",
        "una domanda generale",
    ],
    about_order: " (ordine {order})",
    about_orders: " (ordini {orders})",
    they_wrote: " Ha scritto: «{quote}»",
    bot_replied_none: "La chat IA non aveva ancora risposto",
    bot_replied_once: "La chat IA ha risposto una volta",
    bot_replied_n: "La chat IA ha risposto {n} volte",
    why: [
        "prima che il cliente chiedesse una persona",
        "ma il cliente si è spazientito",
        "prima che emergesse un tema delicato",
        "ma non era sicura della risposta",
        "e la conversazione è stata passata a una persona",
    ],
    formal: &[
        ("Buongiorno ", "Gentile "),
        ("Buongiorno,", "Gentile cliente,"),
        ("Cordiali saluti,", "Distinti saluti,"),
    ],
    casual: &[
        ("Gentile cliente,", "Ciao,"),
        ("Gentile ", "Ciao "),
        ("Buongiorno", "Ciao"),
        ("Distinti saluti,", "A presto,"),
        ("Cordiali saluti,", "A presto,"),
    ],
};

static NL: Phrases = Phrases {
    greeting_named: "Hallo {name},",
    greeting_anonymous: "Hallo,",
    sign_off: "Met vriendelijke groet,\nHet {team}-team",
    bodies: [
        [
            "Bedankt dat u deze afschrijving{amount_clause}{order_clause} meldt. Ik controleer de betalingen op uw account en laat u precies weten wat er is gebeurd.",
            "Bedankt voor uw bericht over deze betaling{amount_clause}{order_clause}. Ik bekijk uw factuurgeschiedenis en kom bij u terug met wat ik vind en de mogelijkheden.",
        ],
        [
            "Ik begrijp dat u een terugbetaling{amount_clause}{order_clause} wilt. Ik bekijk uw aankoop en laat u weten wat we kunnen doen en wat de volgende stappen zijn.",
            "Bedankt dat u uitlegt waarom u een terugbetaling{amount_clause}{order_clause} wilt. Ik controleer de details en kom bij u terug met de mogelijkheden.",
        ],
        [
            "Bedankt voor de details over het probleem. Ik zoek het uit en laat het u weten zodra ik meer weet. Hebt u een screenshot of de precieze foutmelding, stuur die dan gerust mee.",
            "Bedankt dat u beschrijft wat er gebeurt. Ik onderzoek het met ons team en kom bij u terug met wat we vinden. Een screenshot of de tekst van de foutmelding helpt.",
        ],
        [
            "Bedankt voor uw bericht over de toegang tot uw account. Ik controleer het en help u veilig weer in te loggen. Deel voor uw veiligheid uw wachtwoord met niemand, ook niet met ons.",
            "Ik bekijk de toegang tot uw account en help u veilig weer binnen te komen. Stuur ons nooit uw wachtwoord.",
        ],
        [
            "Bedankt voor uw bericht over uw levering{order_clause}. Ik controleer de status en de bezorggegevens en laat u weten wat ik vind.",
            "Ik zoek uit waar uw levering{order_clause} is en kom bij u terug met een update.",
        ],
        [
            "Bedankt voor uw interesse! Ik help u graag de juiste optie te vinden. Kunt u iets meer vertellen over wat u nodig hebt, zoals de grootte van uw team en de planning? Ik kom bij u terug met de details.",
            "Bedankt voor uw vraag over onze abonnementen. Ik laat u graag de opties zien die bij u passen en stuur u de details.",
        ],
        [
            "Ik begrijp dat u wilt opzeggen{order_clause}. Ik bekijk uw account en bevestig de volgende stappen en alles wat voor u verandert, zoals factuurdata.",
            "Bedankt dat u laat weten dat u wilt opzeggen{order_clause}. Ik controleer uw account en zorg dat alles wordt afgehandeld zoals u wilt.",
        ],
        [
            "Bedankt dat u de tijd neemt om dit te delen. Ik heb uw feedback doorgegeven aan het team, het helpt ons echt om beter te worden.",
            "Bedankt voor uw feedback, we waarderen het zeer. Ik heb het gedeeld met de mensen die hieraan werken.",
        ],
        [
            "Bedankt voor uw vraag. Ik zoek het uit en kom bij u terug met een duidelijk antwoord.",
            "Bedankt voor uw bericht. Ik controleer dit voor u en stuur u binnenkort de informatie die u nodig hebt.",
        ],
    ],
    order_clause: " (bestelling {order})",
    amount_clause: " van {amount}",
    frustrated_opening: "Het spijt me dat u hier last van hebt.",
    safety_body: "Uw veiligheid gaat voor: is iemand in gevaar, bel dan meteen 112. Gebruik het product niet meer en blijf er uit de buurt. Iemand van ons team pakt dit met voorrang op.",
    legal_body: "Bedankt voor uw bericht. Iemand van ons team bekijkt het en reageert op u.",
    security_body: "Wijzig nu uw wachtwoord en log zo mogelijk uit op andere apparaten. Iemand van ons team controleert uw account met voorrang.",
    who_with_email: "{name} ({email})",
    a_customer: "Een klant",
    a_customer_with_email: "Een klant ({email})",
    needs_help: "{who} heeft hulp nodig bij {topic}{about}.",
    topics: [
        "een factuurprobleem",
        "een terugbetaling",
        "een technisch probleem",
        "toegang tot het account",
        "een bestelling en de levering",
        "een aankoop of prijzen",
        "een opzegging",
        "feedback over de ervaring",
        "een algemene vraag",
    ],
    about_order: " (bestelling {order})",
    about_orders: " (bestellingen {orders})",
    they_wrote: " Bericht: \u{2018}{quote}\u{2019}",
    bot_replied_none: "De chat-AI had nog niet geantwoord",
    bot_replied_once: "De chat-AI antwoordde één keer",
    bot_replied_n: "De chat-AI antwoordde {n} keer",
    why: [
        "voordat de klant om een persoon vroeg",
        "maar de klant raakte gefrustreerd",
        "voordat een gevoelig onderwerp ter sprake kwam",
        "maar was niet zeker van het antwoord",
        "en het gesprek werd overgedragen",
    ],
    formal: &[
        ("Hallo ", "Geachte "),
        ("Hallo,", "Geachte heer, mevrouw,"),
        ("Met vriendelijke groet,", "Hoogachtend,"),
    ],
    casual: &[
        ("Geachte heer, mevrouw,", "Hoi,"),
        ("Geachte ", "Hoi "),
        ("Hallo", "Hoi"),
        ("Hoogachtend,", "Groetjes,"),
        ("Met vriendelijke groet,", "Groetjes,"),
    ],
};

pub fn phrases(lang: Lang) -> &'static Phrases {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
        Lang::De => &DE,
        Lang::Fr => &FR,
        Lang::Pt => &PT,
        Lang::It => &IT,
        Lang::Nl => &NL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push(&rest[start..start + len + 1]);
            rest = &rest[start + len + 1..];
        }
        out
    }

    /// Every language fills the same slots: a missing `{name}` would drop
    /// the customer's name, a stray one would reach the customer verbatim.
    #[test]
    fn every_language_has_the_same_placeholders_as_english() {
        let en = phrases(Lang::En);
        for lang in Lang::ALL {
            let p = phrases(lang);
            let pairs = [
                (en.greeting_named, p.greeting_named),
                (en.greeting_anonymous, p.greeting_anonymous),
                (en.sign_off, p.sign_off),
                (en.order_clause, p.order_clause),
                (en.amount_clause, p.amount_clause),
                (en.who_with_email, p.who_with_email),
                (en.a_customer_with_email, p.a_customer_with_email),
                (en.needs_help, p.needs_help),
                (en.about_order, p.about_order),
                (en.about_orders, p.about_orders),
                (en.they_wrote, p.they_wrote),
                (en.bot_replied_n, p.bot_replied_n),
                (en.safety_body, p.safety_body),
                (en.legal_body, p.legal_body),
                (en.security_body, p.security_body),
            ];
            for (e, l) in pairs {
                let (mut a, mut b) = (placeholders(e), placeholders(l));
                a.sort();
                b.sort();
                assert_eq!(a, b, "{lang:?}: {l}");
            }
            for (e, l) in en.bodies.iter().flatten().zip(p.bodies.iter().flatten()) {
                assert_eq!(placeholders(e), placeholders(l), "{lang:?}: {l}");
            }
            for t in p.topics.iter().chain(&p.why) {
                assert!(placeholders(t).is_empty(), "{lang:?}: {t}");
            }
        }
    }

    #[test]
    fn languages_differ_from_english_and_registers_change_the_greeting() {
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let p = phrases(lang);
            assert_ne!(p.bodies[0][0], EN.bodies[0][0], "{lang:?}");
            let draft = format!(
                "{}\n\nbody\n\n{}",
                p.greeting_named.replace("{name}", "Ana"),
                p.sign_off.replace("{team}", "Acme")
            );
            let formal = p
                .formal
                .iter()
                .fold(draft.clone(), |t, (a, b)| t.replace(a, b));
            let casual = p
                .casual
                .iter()
                .fold(formal.clone(), |t, (a, b)| t.replace(a, b));
            assert_ne!(formal, draft, "{lang:?} formal changes nothing");
            assert_ne!(casual, formal, "{lang:?} casual changes nothing");
            assert!(casual.contains("Ana") && formal.contains("Ana"), "{lang:?}");
        }
    }
}

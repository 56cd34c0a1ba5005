use crate::email::reply_text;

#[test]
fn gmail_english() {
    let text = "Thanks, that fixed it.\n\nOn Tue, Mar 3, 2026 at 10:02 AM Acme Support <support@acme.test> wrote:\n\n> Hi Jo,\n>\n> Please restart the router.\n>\n";
    assert_eq!(reply_text(text), "Thanks, that fixed it.");
}

#[test]
fn gmail_attribution_wrapped_over_two_lines() {
    let text = "Still broken.\r\n\r\nOn Tue, Mar 3, 2026 at 10:02 AM Acme Support Team of Example <\r\nsupport@acme.test> wrote:\r\n\r\n> Please restart the router.\r\n";
    assert_eq!(reply_text(text), "Still broken.");
    let text = "Still broken.\n\nOn Tue, 3 Mar 2026 at 10:02, Acme Support\n<support@acme.test> wrote:\n> old\n";
    assert_eq!(reply_text(text), "Still broken.");
}

#[test]
fn localized_attributions() {
    let cases = [
        "Le mar. 3 mars 2026 à 10:02, Acme <support@acme.test> a écrit :",
        "Le 3 mars 2026 à 10:02, Acme <support@acme.test> a écrit:",
        "Am Di., 3. März 2026 um 10:02 Uhr schrieb Acme <support@acme.test>:",
        "Am 03.03.2026 um 10:02 schrieb Acme:",
        "El mar, 3 mar 2026 a las 10:02, Acme (<support@acme.test>) escribió:",
        "Em ter., 3 de mar. de 2026 às 10:02, Acme <support@acme.test> escreveu:",
        "Op di 3 mrt 2026 om 10:02 schreef Acme <support@acme.test>:",
        "Il giorno mar 3 mar 2026 alle ore 10:02 Acme <support@acme.test> ha scritto:",
        "Il 03/03/2026 10:02, Acme ha scritto:",
        "support@acme.test wrote:",
    ];
    for attribution in cases {
        let text = format!("Nouvelle réponse.\n\n{attribution}\n> ancien texte\n> encore\n");
        assert_eq!(reply_text(&text), "Nouvelle réponse.", "{attribution}");
    }
}

#[test]
fn prose_that_looks_like_an_attribution_stays() {
    let text = "On my side I wrote:\nthe report is attached.\nThanks";
    assert_eq!(reply_text(text), text);
    let text = "Am Ende schrieb er:\nalles gut";
    assert_eq!(reply_text(text), text);
}

#[test]
fn apple_mail() {
    let text = "Sounds good, see you then.\n\nSent from my iPhone\n\n> On 3 Mar 2026, at 10:02, Acme Support <support@acme.test> wrote:\n> \n> Does Thursday work?\n";
    assert_eq!(reply_text(text), "Sounds good, see you then.");
}

#[test]
fn outlook_desktop_header_block() {
    let text = "Hello,\r\n\r\nThe invoice is still wrong.\r\n\r\nRegards,\r\nJo\r\n\r\nFrom: Acme Support <support@acme.test>\r\nSent: Tuesday, March 3, 2026 10:02 AM\r\nTo: Jo Example <jo@example.org>\r\nSubject: RE: Invoice 1142\r\n\r\nHi Jo, we corrected it.\r\n";
    assert_eq!(
        reply_text(text),
        "Hello,\n\nThe invoice is still wrong.\n\nRegards,\nJo"
    );
}

#[test]
fn outlook_underscore_separator_and_bold_labels() {
    let text = "Please call me.\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n________________________________\n*From:* Acme Support <support@acme.test>\n*Sent:* Tuesday, March 3, 2026 10:02:11 AM\n*To:* Jo <jo@example.org>\n*Subject:* Re: Order\n\nOld text";
    assert_eq!(reply_text(text), "Please call me.");
    let text = "Merci\n\nObtenir Outlook pour iOS\n________________________________\nDe : Acme <support@acme.test>\nEnvoyé : mardi 3 mars 2026 10:02\nÀ : Jo\nObjet : Commande\n\nAncien";
    assert_eq!(reply_text(text), "Merci");
}

#[test]
fn outlook_localized_header_blocks() {
    let de = "Danke!\n\nVon: Acme Support <support@acme.test>\nGesendet: Dienstag, 3. März 2026 10:02\nAn: Jo <jo@example.org>\nBetreff: AW: Bestellung\n\nAlt";
    assert_eq!(reply_text(de), "Danke!");
    let fr = "Merci !\n\nDe : Acme Support <support@acme.test>\nEnvoyé : mardi 3 mars 2026 10:02\nÀ : Jo <jo@example.org>\nObjet : RE: Commande\n\nAncien";
    assert_eq!(reply_text(fr), "Merci !");
    let es = "Gracias.\n\nDe: Acme Support <support@acme.test>\nEnviado: martes, 3 de marzo de 2026 10:02\nPara: Jo\nAsunto: RE: Pedido\n\nViejo";
    assert_eq!(reply_text(es), "Gracias.");
}

#[test]
fn original_message_markers() {
    let text =
        "See below.\n\n-----Original Message-----\nFrom: Acme\nSent: Tuesday\nSubject: x\n\nold";
    assert_eq!(reply_text(text), "See below.");
    let text = "Siehe unten.\n\n-----Ursprüngliche Nachricht-----\nVon: Acme\n\nalt";
    assert_eq!(reply_text(text), "Siehe unten.");
    let text = "Voir ci-dessous.\n\n-------- Message d'origine --------\nDe : Acme\n\nancien";
    assert_eq!(reply_text(text), "Voir ci-dessous.");
    let text = "Ok.\n\n----- Original Message -----\nFrom: a";
    assert_eq!(reply_text(text), "Ok.");
}

#[test]
fn gmail_forward_is_content() {
    let text = "Can you help with this one?\n\n---------- Forwarded message ---------\nFrom: Customer <c@example.org>\nDate: Mon, Mar 2, 2026 at 9:00 AM\nSubject: Broken\nTo: <jo@example.org>\n\nIt is broken.\n\nOn Sun, Mar 1, 2026 at 8:00 AM Shop <shop@example.net> wrote:\n> order confirmed\n";
    assert_eq!(reply_text(text), text.trim_end());
    let apple = "FYI\n\nBegin forwarded message:\n\nFrom: Customer <c@example.org>\nSubject: Broken\nDate: 2 March 2026 at 09:00:00 CET\nTo: jo@example.org\n\nIt is broken.";
    assert_eq!(reply_text(apple), apple);
}

#[test]
fn forward_after_a_signature() {
    let text = "FYI\n\n-- \nJo Example\nExample Corp\n\n---------- Forwarded message ---------\nFrom: c@example.org\nSubject: x\n\nbody";
    assert_eq!(
        reply_text(text),
        "FYI\n\n---------- Forwarded message ---------\nFrom: c@example.org\nSubject: x\n\nbody"
    );
}

#[test]
fn trailing_quotes_without_attribution() {
    let text = "Yes please.\n\n> Do you want a refund?\n> Reply yes or no.\n\n";
    assert_eq!(reply_text(text), "Yes please.");
}

#[test]
fn interleaved_answers_keep_context() {
    let text = "> What model?\nThe X200.\n> Since when?\nYesterday.\n\n> Anything else?\n>\n";
    assert_eq!(
        reply_text(text),
        "> What model?\nThe X200.\n> Since when?\nYesterday."
    );
}

#[test]
fn signatures() {
    let text =
        "The app crashes on login.\n\n-- \nJo Example\nHead of IT, Example Corp\n+1 555 0100";
    assert_eq!(reply_text(text), "The app crashes on login.");
    let text = "Crash again.\n--\nJo";
    assert_eq!(reply_text(text), "Crash again.");
    for footer in [
        "Sent from my iPhone",
        "Sent from my Android phone",
        "Sent from my Galaxy",
        "Get Outlook for iOS",
        "Get Outlook for Android",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
        "Enviado do meu iPhone",
        "Verzonden vanaf mijn iPhone",
        "Inviato da iPhone",
    ] {
        let text = format!("Ok thanks\n\n{footer}\n\n");
        assert_eq!(reply_text(&text), "Ok thanks", "{footer}");
    }
    // Only at the end: mid-text it is content.
    let text = "Sent from my iPhone is what it says, then it hangs.\nHelp?";
    assert_eq!(reply_text(text), text);
}

#[test]
fn nothing_left_returns_the_original() {
    let text = "  > only a quote\n> nothing else\n";
    assert_eq!(reply_text(text), "> only a quote\n> nothing else");
    let text = "On Tue, Mar 3, 2026 at 10:02 AM Acme <support@acme.test> wrote:\n> hello";
    assert_eq!(reply_text(text), text);
    let text = "-- \nJo";
    assert_eq!(reply_text(text), "-- \nJo");
    assert_eq!(reply_text(""), "");
    assert_eq!(reply_text("\n\n  \n"), "");
    let text = "Sent from my iPhone";
    assert_eq!(reply_text(text), "Sent from my iPhone");
}

#[test]
fn trims_and_normalizes() {
    assert_eq!(
        reply_text("\n\n  Hello  \r\n  world \t\r\n\r\n\r\n"),
        "  Hello\n  world"
    );
    assert_eq!(reply_text("a\rb"), "a\nb");
}

#[test]
fn text_below_the_quote_or_the_attribution_is_kept() {
    // Bottom-posting: the answer is under the quote.
    let text = "Hi,\n\nOn Mon, 2 Mar 2026 at 10:02, Acme <support@acme.test> wrote:\n> Which size do you need?\n> We have M and L.\n\nL please, and can it arrive by Friday?\n";
    assert_eq!(
        reply_text(text),
        "Hi,\n\nL please, and can it arrive by Friday?"
    );
    // Written right under the attribution line, above the quote.
    let text = "On Mon, 2 Mar 2026 at 10:02, Acme <support@acme.test> wrote:\nThe refund has not arrived yet.\n\n> It is on its way.\n> Acme";
    assert_eq!(reply_text(text), "The refund has not arrived yet.");
    // An unquoted Outlook block below the cut is history, not new text.
    let text = "Thanks!\n\nFrom: Acme <support@acme.test>\nSent: Monday\nTo: Jo\nSubject: Your order\n\nYour order shipped.";
    assert_eq!(reply_text(text), "Thanks!");
}

#[test]
fn a_sentence_that_starts_like_a_device_footer_stays() {
    let text = "It works now.\n\nSent from my desk, it is much easier than from the phone app.";
    assert_eq!(reply_text(text), text);
    let text = "It works now.\n\nSent from my Galaxy S21 Ultra";
    assert_eq!(reply_text(text), "It works now.");
}

#[test]
fn more_quote_headers_and_attributions() {
    // Hotmail starts its quoted header with Date:.
    let text = "See below.\n\nDate: Mon, 2 Mar 2026 10:02:00 +0000\nFrom: support@acme.test\nTo: jo@example.org\nSubject: Your order\n\nYour order shipped.";
    assert_eq!(reply_text(text), "See below.");
    for attribution in [
        "Op 2 mrt. 2026 om 10:02 heeft Acme <support@acme.test> het volgende geschreven:",
        "Den 2 mars 2026 kl. 10:02 skrev Acme <support@acme.test>:",
        "W dniu 2.03.2026 o 10:02, Acme <support@acme.test> napisał:",
        "2 марта 2026 г., в 10:02, Acme <support@acme.test> пишет:",
    ] {
        let text = format!("Yes, that works.\n\n{attribution}\n> Shall we send it Friday?\n");
        assert_eq!(reply_text(&text), "Yes, that works.", "{attribution}");
    }
}

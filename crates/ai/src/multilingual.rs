//! Rules that must never miss, in every language Baton writes: physical
//! danger, legal threats, security problems and a request for a person.
//! The learned model ranks everything else; these phrases stand above it
//! because a missed gas leak costs more than a needless hand-off.
//!
//! Text is accent-folded and split into words, so "pasé", "pase" and
//! "PASE" match alike. A phrase's last word may end in `*` (a stem). A hit
//! does not count when a negation word stands up to four words before it
//! in the same clause ("no necesito hablar con nadie"), when it sits inside quotation
//! marks, when a legal word names the customer's own profession ("soy
//! abogada"), or when a fire word praises a deal ("this sale is fire").

use std::sync::OnceLock;

use crate::features::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    Safety,
    Legal,
    Security,
    HumanRequest,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleHit {
    pub kind: RuleKind,
    /// The matched words, lowercased and accent-folded.
    pub phrase: String,
    /// Index into the customer messages given to [`scan`].
    pub message: usize,
    /// For safety: whether the danger reads as present rather than past.
    pub ongoing: bool,
}

const SAFETY: &[&str] = &[
    "saliendo humo",
    "salir humo",
    "got a shock",
    "da calambre",
    "se hincho",
    "hinchada",
    "estufou",
    "estufado",
    "muchisimo a gas",
    "fuerte a gas",
    "forte de gas",
    "strong smell of gas",
    "smells strongly of gas",
    "see the point anymore",
    "no point anymore",
    "no le veo sentido",
    "nao vejo sentido",
    "acabar com tudo",
    "acabar con todo",
    "te vejo amanha",
    "sabe onde eu moro",
    "knows where i live",
    "sabe donde vivo",
    "weiss wo ich wohne",
    "sait ou j habite",
    "sa dove abito",
    "weet waar ik woon",
    "queimou minha mao",
    "queimou a mao",
    "quemo la mano",
    "melted",
    "melting",
    "se derritio",
    "derreteu",
    "geschmolzen",
    "a fondu",
    "si e fuso",
    "gesmolten",
    "don t want to be here",
    "do not want to be here",
    "no quiero estar aqui",
    "nao quero mais estar aqui",
    "llave del gas",
    "registro do gas",
    "shut the gas",
    "bombola del gas",
    "gas valve",
    "gaskraan",
    "gashahn",
    "robinet du gaz",
    "trapped",
    "atrapad*",
    "intrappolat*",
    "eingesperrt",
    "eingeschlossen",
    "coince dans",
    "coincee dans",
    "opgesloten",
    "locked in the car",
    "rimasta chiusa dentro",
    "rimasto chiuso dentro",
    "manca l aria",
    "can t breathe",
    "no respira",
    "nao respira",
    "kann nicht atmen",
    "ne respire plus",
    "ademt niet",
    "stalk*",
    "which school",
    "what school",
    "que escuela",
    "qual escola",
    "quale scuola",
    "in che scuola",
    "welche schule",
    "son ecole",
    "welke school",
    "donde vive",
    "onde ela mora",
    "onde ele mora",
    "where she lives",
    "where he lives",
    "dove abita",
    "wo sie wohnt",
    "wo er wohnt",
    "ou elle habite",
    "ou il habite",
    "waar hij woont",
    "waar ze woont",
    "pidiendole fotos",
    "knoopcel*",
    "button battery",
    "pila de boton",
    "pilha de botao",
    "pile bouton",
    "batteria a bottone",
    "knopfzelle",
    "fractur*",
    "fratur*",
    "frattur*",
    "broke my arm",
    "broke my leg",
    "broken arm",
    "broken leg",
    "knettert",
    "knistert",
    "gresille",
    "crepita",
    "chisporrotea",
    "crackling and",
    "swollen battery",
    "battery is swollen",
    "akku ist aufgeblaht",
    "batterie gonflee",
    "batteria gonfia",
    "bateria hinchada",
    "bateria estufada",
    "batterij opgezwollen",
    "onder stroom",
    "unter strom",
    "verbruht",
    "brandplek",
    "blaar",
    "ustionat*",
    "scottat*",
    "ambulance",
    "ambulanz",
    "ambulanza",
    "ambulancia",
    "krankenwagen",
    "rettungswagen",
    "notarzt",
    "samu",
    "adrenalina",
    "adrenaline",
    "huisartsenpost",
    "nicht mehr leben",
    "er niet meer zijn",
    "plus envie de vivre",
    "ne veux plus vivre",
    "non voglio piu vivere",
    "nao quero mais viver",
    "don t want to live",
    "do not want to live",
    "m a menace*",
    "m a deja menace*",
    "hat gedroht",
    "heeft gedreigd",
    "bedreigd",
    "mi ha minacciat*",
    "me amenazo",
    "me ameacou",
    "threatened me",
    "threatening me",
    "threatening my",
    "demande des photos",
    "lui demande des photos",
    "chiede foto",
    "gli chiede foto",
    "vraagt om foto",
    "pide fotos",
    "pidiendo fotos",
    "pede fotos",
    "pedindo fotos",
    "asking for photos",
    "asks for photos",
    "fotos schicken",
    "batterij ingeslikt",
    "magneet ingeslikt",
    "fort le gaz",
    "ca sent le gaz",
    "perdita di gas",
    "perde gas",
    "gas leak",
    "nicht mehr gebremst",
    "freins lachent",
    "rem werkte niet",
    "remmen werkten niet",
    "rem deed het niet",
    "non frena*",
    // en
    "caught fire",
    "~on fire",
    "in flames",
    "burst into flames",
    "smoke coming",
    "smoke is coming",
    "started smoking",
    "is smoking",
    "was smoking",
    "full of smoke",
    "burning smell",
    "smells like burning",
    "smell of burning",
    "sparks",
    "sparking",
    "sparked",
    "electric shock",
    "got shocked",
    "shocked me",
    "electrocut*",
    "burned my hand",
    "burnt my hand",
    "burned my arm",
    "burned my finger*",
    "got burned",
    "got burnt",
    "burned myself",
    "burned himself",
    "burned herself",
    "burn marks",
    "injured",
    "injury",
    "bleeding",
    "allergic reaction",
    "anaphyla*",
    "epipen",
    "can't breathe",
    "cant breathe",
    "choking",
    "choked",
    "gas leak",
    "smell gas",
    "smells of gas",
    "smell of gas",
    "gas smell",
    "carbon monoxide",
    "exploded",
    "explosion",
    "kill myself",
    "end my life",
    "hurt myself",
    "suicid*",
    "self harm",
    "want to die",
    "brakes failed",
    "brakes don't work",
    "brakes stopped working",
    "emergency room",
    "food poisoning",
    "swallowed a",
    // es
    "se incendio",
    "incendio",
    "en llamas",
    "sale humo",
    "salio humo",
    "salia humo",
    "hay humo",
    "lleno de humo",
    "humo negro",
    "chispas",
    "chispazo",
    "descarga electrica",
    "me dio corriente",
    "me dio calambre",
    "me queme",
    "quemadura*",
    "olor a quemado",
    "huele a quemado",
    "herido",
    "herida",
    "lesionad*",
    "sangrando",
    "reaccion alergica",
    "shock anafilactico",
    "no puede respirar",
    "no puedo respirar",
    "se atraganto",
    "atragant*",
    "fuga de gas",
    "olor a gas",
    "huele a gas",
    "monoxido",
    "exploto",
    "explosion",
    "quitarme la vida",
    "hacerme dano",
    "no quiero vivir",
    "sin frenos",
    "fallaron los frenos",
    "los frenos no",
    "urgencias",
    "intoxicad*",
    "se trago",
    // pt
    "pegou fogo",
    "~pegando fogo",
    "em chamas",
    "fumaca",
    "faisca*",
    "choque eletrico",
    "levei um choque",
    "tomei um choque",
    "tomei choque",
    "eletrocut*",
    "queimadura*",
    "me queimei",
    "cheiro de queimado",
    "ferido",
    "ferida",
    "ferimento*",
    "machuquei",
    "se machucou",
    "sangrando",
    "reacao alergica",
    "nao consegue respirar",
    "nao consigo respirar",
    "engasg*",
    "vazamento de gas",
    "cheiro de gas",
    "explodiu",
    "explosao",
    "me matar",
    "tirar minha vida",
    "me machucar",
    "sem freio*",
    "freio nao",
    "freios nao",
    "pronto socorro",
    "intoxicad*",
    "engoliu",
    // de
    "in brand",
    "fing feuer",
    "feuer gefangen",
    "brennt",
    "flammen",
    "vlammen",
    "rauch",
    "qualm*",
    "raucht",
    "funken",
    "stromschlag",
    "elektrischen schlag",
    "gewischt",
    "verbrennung*",
    "mich verbrannt",
    "sich verbrannt",
    "riecht verbrannt",
    "verschmort",
    "verletzt",
    "verletzung*",
    "blutet",
    "blutung",
    "allergische reaktion",
    "allergischen schock",
    "atemnot",
    "keine luft",
    "verschluckt",
    "gasgeruch",
    "riecht nach gas",
    "gasleck",
    "kohlenmonoxid",
    "explodiert",
    "mich umbringen",
    "suizid*",
    "selbstmord",
    "mir etwas antun",
    "bremsen versagt",
    "bremse funktioniert nicht",
    "bremsen funktionieren nicht",
    "notaufnahme",
    "vergiftung",
    // fr
    "pris feu",
    "~en feu",
    "incendie",
    "flammes",
    "fumee",
    "etincelle*",
    "decharge electrique",
    "electrocut*",
    "me suis brule*",
    "s est brule*",
    "brulure*",
    "odeur de brule",
    "sent le brule",
    "blessure*",
    "saigne*",
    "reaction allergique",
    "choc anaphylactique",
    "ne peut plus respirer",
    "n arrive plus a respirer",
    "s est etouffe*",
    "fuite de gaz",
    "odeur de gaz",
    "sent le gaz",
    "monoxyde",
    "a explose",
    "me suicider",
    "en finir",
    "me faire du mal",
    "plus de freins",
    "freins ne",
    "freins ont lache",
    "urgences",
    "intoxication",
    "a avale",
    // it
    "preso fuoco",
    "in fiamme",
    "fiamme",
    "fumo",
    "scintill*",
    "scossa",
    "folgorat*",
    "ustion*",
    "mi sono bruciat*",
    "odore di bruciato",
    "puzza di bruciato",
    "ferito",
    "ferita",
    "sanguina*",
    "reazione allergica",
    "shock anafilattico",
    "non riesce a respirare",
    "non riesco a respirare",
    "soffoca*",
    "fuga di gas",
    "odore di gas",
    "puzza di gas",
    "monossido",
    "esploso",
    "esplosione",
    "farla finita",
    "uccidermi",
    "farmi del male",
    "freni non",
    "senza freni",
    "pronto soccorso",
    "intossica*",
    "ha ingoiato",
    // nl
    "vlam gevat",
    "vuur",
    "rook",
    "rookt",
    "vonk*",
    "stroomschok",
    "schok gekregen",
    "geelektrocuteerd",
    "brandwond*",
    "brandlucht",
    "ruikt verbrand",
    "mij verbrand",
    "me verbrand",
    "gewond",
    "verwond*",
    "bloedt",
    "allergische reactie",
    "anafylact*",
    "kan niet ademen",
    "geen lucht",
    "verslikt",
    "stikt",
    "gaslek",
    "ruik gas",
    "gaslucht",
    "koolmonoxide",
    "ontploft",
    "explosie",
    "zelfmoord",
    "mezelf iets aandoen",
    "remmen werken niet",
    "remmen doen het niet",
    "spoedeisende hulp",
    "vergiftig*",
];

const LEGAL: &[&str] = &[
    "contestacao",
    "a dispute",
    "dispute it",
    "dispute the payment",
    "dispute with my",
    "with my card company",
    "contestar la compra",
    "contestar o pagamento",
    "retrofacturation",
    "contestation aupres de ma banque",
    "storneren",
    "terugvorderen bij",
    "zuruckbuchen",
    "ruckbuchung",
    "chargeback",
    "corecom",
    "agcom",
    "arera",
    "ivass",
    "kifid",
    "autoriteit persoonsgegevens",
    "cnil",
    "aepd",
    "anpd",
    "datenschutzbehorde",
    "arcep",
    "signal conso",
    "bafin",
    "consob",
    "garante privacy",
    "esposto",
    "faccio causa",
    "fare causa",
    "vi faccio causa",
    "faccio ricorso",
    "fare ricorso",
    "politie",
    "polizei",
    "police",
    "policia",
    "polizia",
    "carabinieri",
    "denunciar",
    "denunciarlos",
    "denunciarles",
    "los denuncio",
    "una denuncia",
    "sporgere denuncia",
    "vi denuncio",
    // en
    "my lawyer",
    "my lawyers",
    "my attorney",
    "my solicitor",
    "legal action",
    "take you to court",
    "see you in court",
    "small claims",
    "sue you",
    "sue your",
    "i will sue",
    "i'll sue",
    "lawsuit",
    "class action",
    "chargeback",
    "charge back",
    "dispute the charge",
    "dispute it with my bank",
    "trading standards",
    "consumer protection",
    "better business bureau",
    "ombudsman",
    // es
    "abogado",
    "abogada",
    "abogados",
    "demandarlos",
    "demandarles",
    "voy a demandar",
    "los voy a demandar",
    "demandare",
    "demanda judicial",
    "poner una demanda",
    "acciones legales",
    "accion legal",
    "via judicial",
    "ocu",
    "profeco",
    "hoja de reclamaciones",
    "oficina de consumo",
    "oficina del consumidor",
    "contracargo",
    // pt
    "advogado",
    "advogada",
    "vou processar",
    "processar voces",
    "processar vcs",
    "processar a empresa",
    "processo judicial",
    "abrir um processo",
    "entrar com um processo",
    "entrar na justica",
    "na justica",
    "procon",
    "reclame aqui",
    "juizado",
    "pequenas causas",
    "acao judicial",
    "medidas legais",
    "estorno pelo banco",
    "contestar no cartao",
    // de
    "anwalt",
    "anwaltin",
    "rechtsanwalt",
    "rechtsanwaltin",
    "verklagen",
    "eine klage",
    "klage einreichen",
    "rechtliche schritte",
    "vor gericht",
    "gerichtlich*",
    "verbraucherzentrale",
    "schlichtungsstelle",
    "anzeige erstatten",
    "strafanzeige",
    "ruckbuchung",
    // fr
    "avocat",
    "avocate",
    "porter plainte",
    "deposer plainte",
    "poursuites",
    "poursuivre en justice",
    "en justice",
    "mise en demeure",
    "action en justice",
    "tribunal",
    "que choisir",
    "dgccrf",
    "mediateur",
    "opposition bancaire",
    // it
    "avvocato",
    "avvocata",
    "avvocati",
    "denunciare",
    "denuncero",
    "vie legali",
    "azione legale",
    "tribunale",
    "querela",
    "altroconsumo",
    "codacons",
    "diffida",
    // nl
    "advocaat",
    "rechtszaak",
    "naar de rechter",
    "juridische stappen",
    "aangifte doen",
    "aangifte gedaan",
    "consumentenbond",
    "geschillencommissie",
    "ingebrekestelling",
];

const SECURITY: &[&str] = &[
    "ich war das nicht",
    "war ich nicht",
    "yo no hice",
    "someone has changed my password",
    "someone changed my password",
    "alguem trocou minha senha",
    "alguien cambio mi contrasena",
    "jemand hat mein passwort",
    "quelqu un a change mon mot de passe",
    "qualcuno ha cambiato la password",
    "iemand heeft mijn wachtwoord",
    "invadiu",
    "new login from",
    "new sign in from",
    "novo acesso",
    "inicio de sesion desde",
    "neue anmeldung",
    "nouvelle connexion",
    "nuovo accesso",
    "iemand ingelogd",
    "heeft iemand ingelogd",
    "fuera de la plataforma",
    "pagar por fora",
    "that i did not make",
    "that i didn t make",
    "que yo no hice",
    "someone has access",
    "has access to my account",
    "alguien tiene acceso",
    "alguem tem acesso",
    "jemand hat zugriff",
    "quelqu un a acces",
    "qualcuno ha accesso",
    "iemand heeft toegang",
    "confirmar mi contrasena",
    "confirmar minha senha",
    "confirm my password",
    "sim swap",
    "sim attivata",
    "overgezet naar",
    "doet zich voor als",
    "se hace pasar por",
    "se passando por",
    "se fait passer pour",
    "si spaccia per",
    "gibt sich als",
    "pretending to be me",
    "impersonat*",
    "c etait une arnaque",
    "era una estafa",
    "era um golpe",
    "era una truffa",
    "was a scam",
    "war betrug",
    "c est pas moi",
    "ce n est pas moi",
    "pas moi",
    "war nicht ich",
    "nicht ich",
    "das war ich nicht",
    "non sono stato io",
    "non ero io",
    "no fui yo",
    "nao fui eu",
    "wasn t me",
    "was not me",
    "ik was het niet",
    "dat was ik niet",
    "die ich nicht gemacht habe",
    "que je n ai pas passees",
    "que je n ai pas faits",
    "que je n ai pas faites",
    "que no hice",
    "que eu nao fiz",
    "que nao fiz",
    "che non ho fatto",
    "non ho autorizzato",
    "i didn t make",
    "i never made",
    "heb niet eens een account",
    "don t even have an account",
    "konto ubernommen",
    "account overgenomen",
    "took over my account",
    "taken over my account",
    "opgelicht",
    "sono stato truffato",
    "sono stata truffata",
    "me estafaron",
    "fui estafado",
    "fui estafada",
    "cai num golpe",
    "cai em um golpe",
    "sofri um golpe",
    "j ai ete arnaque*",
    "i got scammed",
    "i was scammed",
    "been scammed",
    "scammer*",
    "fait opposition",
    "d une autre personne",
    "di un altra",
    "de otra persona",
    "de outra pessoa",
    "van iemand anders",
    "von jemand anderem",
    "someone else s",
    // en
    "hacked",
    "someone logged into my account",
    "someone else logged",
    "unauthorized charge*",
    "unauthorized transaction*",
    "unauthorized payment*",
    "unauthorized access",
    "unauthorized login*",
    "unauthorised charge*",
    "unauthorised transaction*",
    "unauthorised payment*",
    "unauthorised access",
    "fraud*",
    "phishing",
    "identity theft",
    "stolen card",
    "data breach",
    "compromised",
    "didn't make this",
    "did not make this",
    "someone else's data",
    "someone elses data",
    // es
    "hackea*",
    "jaquea*",
    "me robaron la cuenta",
    "fraude",
    "suplantacion",
    "no autorizad*",
    "no reconozco",
    "datos filtrados",
    "filtracion de datos",
    "robo de identidad",
    "clonaron mi tarjeta",
    "entraron a mi cuenta",
    "entraron en mi cuenta",
    "alguien entro",
    // pt
    "hackead*",
    "invadiram",
    "invadida",
    "golpe do pix",
    "clonaram",
    "clonado",
    "clonada",
    "nao reconheco",
    "nao autorizad*",
    "vazamento de dados",
    "vazaram",
    "roubo de identidade",
    "alguem entrou",
    // de
    "gehackt",
    "nicht autorisiert",
    "unautorisiert",
    "nicht erkenne",
    "erkenne ich nicht",
    "kenne ich nicht",
    "nicht getatigt",
    "datenleck",
    "datenpanne",
    "identitatsdiebstahl",
    "unbefugt*",
    "fremde daten",
    // fr
    "pirate",
    "piratage",
    "escroquerie",
    "hameconnage",
    "usurpation",
    "je ne reconnais pas",
    "non autoris*",
    "fuite de donnees",
    "quelqu un s est connecte",
    "donnees d un autre",
    // it
    "hackerat*",
    "violato",
    "frode",
    "non autorizzat*",
    "non riconosco",
    "furto d identita",
    "furto di identita",
    "fuga di dati",
    "clonata",
    "qualcuno e entrato",
    "dati di un altro",
    // nl
    "gehackt",
    "opgelicht",
    "niet geautoriseerd",
    "onbevoegd*",
    "herken ik niet",
    "niet herken",
    "datalek",
    "identiteitsfraude",
    "iemand is ingelogd",
    "gegevens van iemand anders",
];

const HUMAN_REQUEST: &[&str] = &[
    "someone from your",
    "someone from the",
    "can someone",
    "could someone",
    "have someone",
    "a person from",
    "someone call me",
    "call me back",
    "kann jemand",
    "kann sich jemand",
    "kann mich jemand",
    "jemand vom",
    "jemand von ihnen",
    "ein mensch",
    "einen techniker",
    "einen ansprechpartner",
    "echten mitarbeiter",
    "quelqu un de chez vous",
    "quelqu un peut",
    "une personne de votre",
    "une personne de chez vous",
    "un agent peut",
    "rappelez moi",
    "me rappeler",
    "me passer quelqu un",
    "un conseiller peut",
    "qualcuno del",
    "qualcuno dell",
    "farmi chiamare",
    "fatemi richiamare",
    "mi fate richiamare",
    "mi fate contattare",
    "farmi richiamare",
    "un addetto",
    "mi passate qualcuno",
    "kan iemand",
    "wil iemand spreken",
    "iemand van de klantenservice",
    "iemand van jullie",
    "met iemand van",
    "kan een medewerker",
    "alguien de",
    "que alguien",
    "puede alguien",
    "alguem de",
    "alguem pode",
    "alguem me",
    // en
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "speak with a person",
    "talk to a real",
    "speak to a real",
    "real person",
    "real human",
    "human agent",
    "live agent",
    "live person",
    "talk to someone",
    "speak to someone",
    "speak with someone",
    "talk with someone",
    "talk to an agent",
    "speak to an agent",
    "speak with an agent",
    "talk to a representative",
    "speak to a representative",
    "speak to your manager",
    "talk to your manager",
    "speak to a manager",
    "talk to a manager",
    "get me a manager",
    "speak to a supervisor",
    "talk to a supervisor",
    "get me a human",
    "need a human",
    "want a human",
    "transfer me",
    "put me through",
    "human please",
    // es
    "hablar con una persona",
    "hablar con un humano",
    "hablar con alguien",
    "hablar con un agente",
    "hablar con un asesor",
    "hablar con una asesora",
    "hablar con un operador",
    "hablar con una operadora",
    "hablar con el encargado",
    "hablar con un encargado",
    "hablar con un supervisor",
    "persona real",
    "quiero un humano",
    "necesito un humano",
    "un humano por favor",
    "con un humano",
    "atencion humana",
    "agente humano",
    "operador humano",
    "pasame con",
    "paseme con",
    "comunicarme con un",
    "que me atienda",
    "que me llame alguien",
    "con un ejecutivo",
    // pt
    "falar com um atendente",
    "falar com atendente",
    "falar com uma pessoa",
    "falar com alguem",
    "falar com um humano",
    "falar com o gerente",
    "falar com um supervisor",
    "atendimento humano",
    "atendente humano",
    "pessoa de verdade",
    "pessoa real",
    "me passa pra",
    "me passa para",
    "me transfere",
    "quero um atendente",
    "preciso de um atendente",
    "chama um atendente",
    "um atendente por favor",
    "algum atendente",
    "ser humano",
    // de
    "mit einem menschen",
    "mit einem mitarbeiter",
    "mit einer mitarbeiterin",
    "einen mitarbeiter",
    "einen menschen",
    "echten menschen",
    "echte person",
    "mit jemandem sprechen",
    "mit jemandem reden",
    "mit einer person",
    "mitarbeiter ubernehmen",
    "mitarbeiter sprechen",
    "ihren vorgesetzten",
    "verbinden sie mich",
    "menschlichen mitarbeiter",
    "kundenberater sprechen",
    // fr
    "parler a un conseiller",
    "parler a une conseillere",
    "parler a quelqu un",
    "parler a un humain",
    "parler a une personne",
    "parler a un agent",
    "parler a un responsable",
    "un vrai humain",
    "une vraie personne",
    "conseiller humain",
    "veux un humain",
    "avec un humain",
    "un humain svp",
    "un humain s il vous plait",
    "mettre en relation",
    "passez moi",
    "joindre un conseiller",
    "avoir un conseiller",
    "votre superieur",
    // it
    "parlare con un operatore",
    "parlare con una persona",
    "parlare con qualcuno",
    "parlare con un umano",
    "parlare con un essere umano",
    "parlare con un consulente",
    "parlare con un responsabile",
    "operatore umano",
    "persona vera",
    "persona reale",
    "voglio un operatore",
    "un operatore per favore",
    "mi serve un operatore",
    "passarmi un",
    "mi passi un",
    "un essere umano",
    "assistenza umana",
    // nl
    "met een mens",
    "een echt mens",
    "een echte persoon",
    "met een medewerker",
    "met iemand spreken",
    "met iemand praten",
    "met een persoon",
    "wil een medewerker",
    "graag een medewerker",
    "echte medewerker",
    "doorverbinden",
    "verbind me door",
    "uw leidinggevende",
    "een mens spreken",
    "menselijke medewerker",
];

/// Words that cancel a hit when they stand within four words before it,
/// in the same clause.
const NEGATIONS: &[&str] = &[
    "no", "not", "never", "without", "nobody", "nothing", "dont", "didnt", "doesnt", "isnt",
    "wasnt", "t", "nunca", "sin", "nadie", "ni", "nada", "nicht", "kein", "keine", "keinen",
    "keiner", "nie", "niemand", "ohne", "pas", "jamais", "sans", "aucun", "aucune", "nao", "sem",
    "nem", "ninguem", "nenhum", "nenhuma", "non", "mai", "senza", "nessuno", "niet", "geen",
    "nooit", "zonder", "niemand",
];

/// Words before a legal noun that make it the customer's own trade.
const PROFESSION: &[&str] = &[
    "i m a",
    "i am a",
    "as a",
    "soy",
    "como",
    "ich bin",
    "als",
    "je suis",
    "en tant que",
    "sou",
    "sono",
    "come",
    "ik ben",
    "work as",
    "trabajo como",
    "trabalho como",
];

/// Deal talk that turns a fire word into praise (so does a 🔥 emoji).
const FIGURATIVE: &[&str] = &[
    "deal",
    "sale",
    "offer",
    "price",
    "prices",
    "promo",
    "discount",
    "oferta",
    "ofertas",
    "promocion",
    "promocao",
    "preco",
    "precos",
    "angebot",
    "offre",
    "prix",
    "offerta",
    "prezzi",
    "aanbieding",
];

/// Markers that the danger is over or happened before.
const PAST: &[&str] = &[
    "yesterday",
    "last week",
    "last night",
    "last month",
    "the other day",
    "ago",
    "ayer",
    "anoche",
    "semana pasada",
    "el otro dia",
    "mes pasado",
    "hace unos dias",
    "hace dos dias",
    "hace una semana",
    "gestern",
    "letzte woche",
    "letzten woche",
    "vorige woche",
    "neulich",
    "vor ein paar tagen",
    "letzten monat",
    "hier soir",
    "hier matin",
    "semaine derniere",
    "l autre jour",
    "mois dernier",
    "ontem",
    "semana passada",
    "outro dia",
    "mes passado",
    "faz uns dias",
    "ieri",
    "settimana scorsa",
    "l altro giorno",
    "mese scorso",
    "giorni fa",
    "gisteren",
    "vorige week",
    "vorige maand",
    "geleden",
];

/// Markers that the danger is happening now.
const PRESENT: &[&str] = &[
    "now",
    "still",
    "currently",
    "right now",
    "at the moment",
    "keeps",
    "ahora",
    "ahorita",
    "todavia",
    "sigue",
    "en este momento",
    "jetzt",
    "gerade",
    "immer noch",
    "maintenant",
    "encore",
    "en ce moment",
    "actuellement",
    "agora",
    "ainda",
    "neste momento",
    "continua",
    "adesso",
    "ancora",
    "in questo momento",
    "nu",
    "nog",
    "op dit moment",
];

/// Markers that everyone is fine again, which outweigh "now".
const RESOLVED: &[&str] = &[
    "fine now",
    "ok now",
    "okay now",
    "better now",
    "recovered",
    "all good now",
    "ya esta bien",
    "se recupero",
    "estan bien",
    "wieder gut",
    "geht es gut",
    "va mieux",
    "va bien",
    "ja esta bem",
    "se recuperou",
    "sta bene",
    "sta meglio",
    "gaat goed",
    "is hersteld",
];

/// A phrase as words; `prefix` when its last word is a stem; `figurative`
/// when deal talk cancels it.
struct Pattern {
    kind: RuleKind,
    words: Vec<String>,
    prefix: bool,
    figurative: bool,
}

fn patterns() -> &'static [Pattern] {
    static PATTERNS: OnceLock<Vec<Pattern>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let tables = [
            (RuleKind::Safety, SAFETY),
            (RuleKind::Legal, LEGAL),
            (RuleKind::Security, SECURITY),
            (RuleKind::HumanRequest, HUMAN_REQUEST),
        ];
        let mut out = Vec::new();
        for (kind, table) in tables {
            for raw in table {
                let figurative = raw.starts_with('~');
                let raw = raw.trim_start_matches('~');
                let prefix = raw.ends_with('*');
                let words = split(&fold(raw.trim_end_matches('*')))
                    .into_iter()
                    .map(|(w, _)| w.to_string())
                    .collect();
                out.push(Pattern {
                    kind,
                    words,
                    prefix,
                    figurative,
                });
            }
        }
        out
    })
}

/// Folded words with their byte ranges in the folded text.
fn split(folded: &str) -> Vec<(&str, (usize, usize))> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in folded.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((&folded[s..i], (s, i)));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((&folded[s..], (s, folded.len())));
    }
    out
}

fn contains_words(words: &[&str], phrase: &str) -> bool {
    let p: Vec<&str> = phrase.split(' ').collect();
    words.windows(p.len()).any(|w| w == p.as_slice())
}

fn any_marker(words: &[&str], markers: &[&str]) -> bool {
    markers.iter().any(|m| contains_words(words, m))
}

/// Removes quoted passages: what the customer cites is not what they say.
fn without_quotes(text: &str) -> String {
    let pairs = [('"', '"'), ('“', '”'), ('«', '»'), ('„', '“'), ('‘', '’')];
    let mut out = single_quoted_removed(text);
    for (open, close) in pairs {
        while let Some(a) = out.find(open) {
            let after = a + open.len_utf8();
            match out[after..].find(close) {
                Some(b) if b <= 200 => out.replace_range(a..after + b + close.len_utf8(), " "),
                _ => break,
            }
        }
    }
    out
}

/// Removes 'passages in ASCII single quotes': an opening quote after a
/// space (or at the start), a closing one before a space, punctuation or
/// the end, so apostrophes ("I'm", "customers' orders") stay.
fn single_quoted_removed(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let opens = chars[i] == '\''
            && (i == 0 || chars[i - 1].is_whitespace())
            && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
        if opens {
            let close = (i + 2..chars.len().min(i + 200)).find(|&j| {
                chars[j] == '\''
                    && chars[j - 1].is_alphanumeric()
                    && chars.get(j + 1).is_none_or(|c| !c.is_alphanumeric())
                    && chars[i + 1..j].iter().all(|c| *c != '\n')
            });
            if let Some(j) = close {
                out.push(' ');
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn matches_at(words: &[&str], at: usize, p: &Pattern) -> bool {
    let n = p.words.len();
    if n == 0 || at + n > words.len() {
        return false;
    }
    p.words.iter().enumerate().all(|(i, w)| {
        if p.prefix && i == n - 1 {
            words[at + i].starts_with(w.as_str())
        } else {
            words[at + i] == w
        }
    })
}

/// Words only Portuguese uses, where "no" means "in the", not "no".
const PORTUGUESE: &[&str] = &[
    "nao", "voce", "vc", "pra", "meu", "minha", "vou", "isso", "muito", "obrigado", "obrigada",
    "tambem", "estou", "pelo", "pela", "num", "numa", "ao",
];

fn excluded(words: &[&str], at: usize, p: &Pattern, portuguese: bool, fire_emoji: bool) -> bool {
    let before = &words[at.saturating_sub(4)..at];
    let negation = |w: &&str| NEGATIONS.contains(w) && !(portuguese && *w == "no");
    if before.iter().any(negation) {
        return true;
    }
    if p.kind == RuleKind::Legal && p.words.len() == 1 {
        let wider = &words[at.saturating_sub(4)..at];
        if PROFESSION.iter().any(|m| contains_words(wider, m)) {
            return true;
        }
    }
    p.figurative && (words.iter().any(|w| FIGURATIVE.contains(w)) || fire_emoji)
}

/// All rule hits in the customer's messages, in message order.
pub fn scan(customer_messages: &[&str]) -> Vec<RuleHit> {
    let mut hits = Vec::new();
    let folded: Vec<String> = customer_messages
        .iter()
        .map(|m| fold(&without_quotes(m)))
        .collect();
    for (message, text) in folded.iter().enumerate() {
        let portuguese = split(text).iter().any(|(w, _)| PORTUGUESE.contains(w));
        for clause in text.split(['.', ',', '!', '?', ';', ':', '\n']) {
            // "🔥" next to a fire word is praise, not a fire.
            let fire_emoji = clause.contains('\u{1f525}');
            let spans = split(clause);
            let words: Vec<&str> = spans.iter().map(|(w, _)| *w).collect();
            for at in 0..words.len() {
                for p in patterns() {
                    if !matches_at(&words, at, p) || excluded(&words, at, p, portuguese, fire_emoji)
                    {
                        continue;
                    }
                    let (start, end) = (spans[at].1.0, spans[at + p.words.len() - 1].1.1);
                    let phrase = clause[start..end].to_string();
                    if hits
                        .iter()
                        .any(|h: &RuleHit| h.kind == p.kind && h.message == message)
                    {
                        continue;
                    }
                    let ongoing = p.kind == RuleKind::Safety && ongoing(&folded[message..]);
                    hits.push(RuleHit {
                        kind: p.kind,
                        phrase,
                        message,
                        ongoing,
                    });
                }
            }
        }
    }
    hits
}

/// Present unless the customer places it in the past or says all is well;
/// "it's still smoking" in a later message makes it present again.
fn ongoing(from_hit_on: &[String]) -> bool {
    let words: Vec<&str> = from_hit_on
        .iter()
        .flat_map(|t| split(t).into_iter().map(|(w, _)| w))
        .collect();
    if any_marker(&words, RESOLVED) {
        return false;
    }
    !any_marker(&words, PAST) || any_marker(&words, PRESENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(messages: &[&str]) -> Vec<RuleKind> {
        scan(messages).into_iter().map(|h| h.kind).collect()
    }

    fn has(text: &str, kind: RuleKind) -> bool {
        kinds(&[text]).contains(&kind)
    }

    #[test]
    fn each_language_asks_for_a_person() {
        for text in [
            "can I please speak to a real person",
            "Quiero hablar con una persona, por favor",
            "quero falar com um atendente agora",
            "Kann ich bitte mit einem Mitarbeiter sprechen?",
            "Je voudrais parler à un conseiller.",
            "Posso parlare con un operatore?",
            "Kan ik met een medewerker spreken?",
        ] {
            assert!(has(text, RuleKind::HumanRequest), "{text}");
        }
    }

    #[test]
    fn each_language_raises_danger() {
        for text in [
            "the charger caught fire on my desk",
            "el cargador echa chispas y huele a quemado",
            "a tomada soltou faísca e tem fumaça",
            "Das Ladegerät hat Funken gesprüht",
            "il y a de la fumée qui sort de la box",
            "la stufa ha preso fuoco",
            "er komt rook uit de oplader",
        ] {
            assert!(has(text, RuleKind::Safety), "{text}");
        }
    }

    #[test]
    fn legal_and_security_in_each_language() {
        assert!(has("my lawyer will hear about this", RuleKind::Legal));
        assert!(has("voy a poner una demanda", RuleKind::Legal));
        assert!(has("vou no Procon amanhã", RuleKind::Legal));
        assert!(has("Ich schalte meinen Anwalt ein", RuleKind::Legal));
        assert!(has("je vais porter plainte", RuleKind::Legal));
        assert!(has("mi rivolgerò a un avvocato", RuleKind::Legal));
        assert!(has("ik stap naar de rechter", RuleKind::Legal));
        assert!(has("mi cuenta fue hackeada", RuleKind::Security));
        assert!(has("minha conta foi hackeada", RuleKind::Security));
        assert!(has("Mein Konto wurde gehackt", RuleKind::Security));
        assert!(has("mon compte a été piraté", RuleKind::Security));
        assert!(has(
            "è una truffa, non riconosco questo addebito",
            RuleKind::Security
        ));
        assert!(has("ik ben opgelicht", RuleKind::Security));
    }

    #[test]
    fn negation_quotes_professions_and_praise_do_not_count() {
        assert!(!has(
            "no necesito hablar con una persona, solo dime el horario",
            RuleKind::HumanRequest
        ));
        assert!(!has(
            "I don't want to talk to a human, just tell me",
            RuleKind::HumanRequest
        ));
        assert!(!has(
            "ich will nicht mit einem Mitarbeiter sprechen",
            RuleKind::HumanRequest
        ));
        assert!(!has(
            "Soy abogada y quiero el plan para mi despacho",
            RuleKind::Legal
        ));
        assert!(!has("sou advogado e quero o plano anual", RuleKind::Legal));
        assert!(!has(
            "this sale is on fire, how long does it last?",
            RuleKind::Safety
        ));
        assert!(!has("essa promoção tá pegando fogo!", RuleKind::Safety));
        assert!(!has("a trilha nova tá pegando fogo 🔥🔥", RuleKind::Safety));
        assert!(!has(
            "your FAQ says \"contact a real person\" but where?",
            RuleKind::HumanRequest
        ));
        assert!(!has(
            "the page says 'talk to a person anytime' but where?",
            RuleKind::HumanRequest
        ));
        assert!(has(
            "I'm done, I'd like to talk to a person",
            RuleKind::HumanRequest
        ));
        assert!(!has(
            "geen rook, geen vonken, hij doet gewoon niks",
            RuleKind::Safety
        ));
    }

    #[test]
    fn past_danger_is_not_ongoing_and_present_danger_is() {
        let past = scan(&["Yesterday the heater sparked, everyone is fine now"]);
        assert_eq!(past[0].kind, RuleKind::Safety);
        assert!(!past[0].ongoing);
        let now = scan(&["the heater is sparking right now"]);
        assert!(now[0].ongoing);
        let again = scan(&["ayer salió humo del horno", "y ahora sigue saliendo humo"]);
        assert!(again[0].ongoing, "{again:?}");
    }

    #[test]
    fn the_phrase_is_reported_as_written_and_by_message() {
        let hits = scan(&["hola", "¡Quiero HABLAR con una persona!"]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].message, 1);
        assert_eq!(hits[0].phrase, "hablar con una persona");
    }
}

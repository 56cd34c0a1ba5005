//! Placeholder until the localized phrase tables land: English everywhere.
use crate::Category;

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

pub struct Phrases {
    pub greeting_named: &'static str,
    pub greeting_anonymous: &'static str,
    pub sign_off: &'static str,
    pub bodies: [[&'static str; 2]; 9],
    pub order_clause: &'static str,
    pub frustrated_opening: &'static str,
    pub safety_body: &'static str,
    pub legal_body: &'static str,
    pub security_body: &'static str,
    pub who_with_email: &'static str,
    pub a_customer: &'static str,
    pub a_customer_with_email: &'static str,
    pub needs_help: &'static str,
    pub topics: [&'static str; 9],
    pub about_order: &'static str,
    pub about_orders: &'static str,
    pub they_wrote: &'static str,
    pub bot_replied_none: &'static str,
    pub bot_replied_once: &'static str,
    pub bot_replied_n: &'static str,
    pub why: [&'static str; 5],
    pub formal: &'static [(&'static str, &'static str)],
    pub casual: &'static [(&'static str, &'static str)],
}

static EN: Phrases = Phrases {
    greeting_named: "Hi {name},",
    greeting_anonymous: "Hi there,",
    sign_off: "Best regards,\nThe {team} team",
    bodies: [["Thanks for writing{order_clause}. A person is looking into it."; 2]; 9],
    order_clause: " about order {order}",
    frustrated_opening: "I'm sorry about this.",
    safety_body: "Please stop using it now and keep away from it. A person on our team is handling this with priority.",
    legal_body: "A person on our team will respond to you.",
    security_body: "Please change your password. A person is checking your account with priority.",
    who_with_email: "{name} ({email})",
    a_customer: "A customer",
    a_customer_with_email: "A customer ({email})",
    needs_help: "{who} needs help with {topic}{about}.",
    topics: ["a billing problem"; 9],
    about_order: " about order {order}",
    about_orders: " about orders {orders}",
    they_wrote: " They wrote: \u{201c}{quote}\u{201d}",
    bot_replied_none: "The chat AI had not answered yet",
    bot_replied_once: "The chat AI replied once",
    bot_replied_n: "The chat AI replied {n} times",
    why: ["before the customer asked for a person"; 5],
    formal: &[],
    casual: &[],
};

pub fn phrases(_lang: Lang) -> &'static Phrases {
    let _ = Category::ALL;
    &EN
}

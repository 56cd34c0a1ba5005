//! One test per field of the analysis, on small realistic chats.

use crate::*;

fn run(messages: &[Message], ai_confidence: Option<f64>) -> Analysis {
    let bot = BotSettings::default();
    analyse(&Input {
        messages,
        ai_confidence,
        known: &Known::default(),
        history: &History::default(),
        bot: &bot,
    })
}

fn c(t: &str) -> Message {
    Message::customer(t)
}
fn a(t: &str) -> Message {
    Message::assistant(t)
}

#[test]
fn escalation_triggers_and_precedence() {
    let phrase = run(
        &[
            c("hi where is my order"),
            a("It is on its way."),
            c("can i talk to a real persn please"),
        ],
        Some(0.9),
    );
    assert_eq!(
        phrase.decision.trigger.as_ref().map(|t| t.kind),
        Some(TriggerKind::Phrase),
        "typos still count"
    );
    let human_error = run(
        &[c(
            "the address was wrong, human error on my side. can you update it to 5 Main St?",
        )],
        Some(0.9),
    );
    assert!(!human_error.decision.escalate, "{:?}", human_error.decision);
    let legal = run(
        &[c(
            "I want to talk to a person, or my lawyer will be in touch about this charge",
        )],
        None,
    );
    assert_eq!(
        legal.decision.trigger.as_ref().map(|t| t.kind),
        Some(TriggerKind::Sensitive),
        "sensitive beats phrase"
    );
    let low = run(
        &[c("does the pro plan include sso for contractors")],
        Some(0.3),
    );
    assert_eq!(
        low.decision.trigger.as_ref().map(|t| t.kind),
        Some(TriggerKind::LowConfidence)
    );
    assert!(low.decision.reason.contains("0.30"));
    let angry = run(
        &[
            c("this is RIDICULOUS, third time I'm asking!!"),
            a("I understand."),
            c("useless. absolutely useless"),
        ],
        Some(0.9),
    );
    assert_eq!(
        angry.decision.trigger.as_ref().map(|t| t.kind),
        Some(TriggerKind::Frustration)
    );
    let fine = run(
        &[
            c("how do I change my profile picture?"),
            a("Go to Settings > Profile."),
            c("perfect thanks!"),
        ],
        Some(0.95),
    );
    assert!(!fine.decision.escalate);
}

#[test]
fn bot_trigger_phrases_are_used() {
    let bot = BotSettings {
        trigger_phrases: vec!["escalate me".into()],
        ..BotSettings::default()
    };
    let msgs = [c("please escalate me now")];
    let r = check(&Input {
        messages: &msgs,
        ai_confidence: None,
        known: &Known::default(),
        history: &History::default(),
        bot: &bot,
    });
    assert!(r.decision.escalate);
    assert_eq!(
        r.decision.trigger.unwrap().phrase.as_deref(),
        Some("escalate me")
    );
}

#[test]
fn details_are_extracted() {
    let r = run(
        &[c(
            "Hi, I'm Priya. order #48213 never came. my email is priya.s @ gmail . com, call +1 415 555 0132",
        )],
        None,
    );
    assert_eq!(r.details.name.as_deref(), Some("Priya"));
    assert_eq!(r.details.email.as_deref(), Some("priya.s@gmail.com"));
    assert_eq!(r.details.order_numbers, ["48213"]);
    assert_eq!(r.details.phones, ["+1 415 555 0132"]);
}

#[test]
fn categories() {
    let cases = [
        (
            "I was charged twice for my subscription this month",
            Category::Billing,
        ),
        (
            "I returned the shoes two weeks ago and still no refund",
            Category::Refund,
        ),
        (
            "the app crashes every time I open the dashboard",
            Category::Technical,
        ),
        (
            "I can't log in, the reset password link never arrives",
            Category::AccountLogin,
        ),
        (
            "my package says delivered but nothing is at my door",
            Category::OrderShipping,
        ),
        (
            "can I get a quote for 50 seats on the enterprise plan",
            Category::Sales,
        ),
        (
            "please cancel my subscription, I no longer need it",
            Category::Cancellation,
        ),
        (
            "just wanted to say your support team is amazing, love the new design",
            Category::Feedback,
        ),
        ("what are your opening hours on sunday", Category::General),
    ];
    for (text, expected) in cases {
        let r = run(&[c(text)], None);
        assert_eq!(r.category.value, expected, "{text}: {:?}", r.category);
        assert!(!r.category.factors.is_empty());
    }
}

#[test]
fn priorities() {
    let urgent = run(
        &[c(
            "our whole site is down, none of our customers can check out. urgent!",
        )],
        None,
    );
    assert_eq!(
        urgent.priority.value,
        Priority::Urgent,
        "{:?}",
        urgent.priority
    );
    let high = run(&[c("I can't log in to my account since yesterday")], None);
    assert_eq!(high.priority.value, Priority::High, "{:?}", high.priority);
    let medium = run(&[c("I'd like a refund for the blue jacket please")], None);
    assert_eq!(
        medium.priority.value,
        Priority::Medium,
        "{:?}",
        medium.priority
    );
    let low = run(&[c("do you offer discounts for nonprofits?")], None);
    assert_eq!(low.priority.value, Priority::Low, "{:?}", low.priority);
    assert!(urgent.priority.factors.iter().any(|f| f.contains("outage")));
}

#[test]
fn sentiments() {
    assert_eq!(
        run(&[c("love it, great job, thanks so much!")], None)
            .sentiment
            .value,
        Sentiment::Positive
    );
    assert_eq!(
        run(&[c("where is my order")], None).sentiment.value,
        Sentiment::Neutral
    );
    assert_eq!(
        run(
            &[c(
                "the item arrived damaged and the box was wet, really disappointed"
            )],
            None
        )
        .sentiment
        .value,
        Sentiment::Negative
    );
    assert_eq!(
        run(
            &[c("this is unacceptable and ridiculous, WORST SERVICE EVER")],
            None
        )
        .sentiment
        .value,
        Sentiment::Frustrated
    );
}

#[test]
fn tags_summary_and_reply() {
    let r = run(
        &[
            c("Hi, this is Tom. I was charged twice for order 7781 and I want a refund"),
            a("I can help with that. Can you confirm the amount?"),
            c("$49 twice. talk to a human please"),
        ],
        None,
    );
    assert!(
        r.tags.iter().any(|t| t.name == "double-charge"),
        "{:?}",
        r.tags
    );
    assert!(r.tags.iter().any(|t| t.name == "asked-for-human"));
    let sentences = r.summary.matches(". ").count() + 1;
    assert!((2..=4).contains(&sentences), "{}", r.summary);
    assert!(r.summary.starts_with("Tom"), "{}", r.summary);
    assert!(r.summary.contains("7781"));
    assert!(
        r.suggested_reply.starts_with("Hi Tom,"),
        "{}",
        r.suggested_reply
    );
    assert!(r.suggested_reply.contains("7781"));
    assert!(
        !r.suggested_reply.to_lowercase().contains("we will refund"),
        "no promises"
    );
    assert_eq!(r.source, "built-in");
}

#[test]
fn missing_details_and_prompt() {
    let bot = BotSettings::default();
    let msgs = [c("talk to a person")];
    let none = check(&Input {
        messages: &msgs,
        ai_confidence: None,
        known: &Known::default(),
        history: &History::default(),
        bot: &bot,
    });
    assert_eq!(none.missing, ["name", "email"]);
    assert!(none.prompt.contains("name") && none.prompt.contains("email"));
    let bad = Known {
        name: Some("Ana".into()),
        email: Some("ana@gmail".into()),
        phone: None,
    };
    let r = check(&Input {
        messages: &msgs,
        ai_confidence: None,
        known: &bad,
        history: &History::default(),
        bot: &bot,
    });
    assert_eq!(r.missing, ["email"]);
    assert!(r.prompt.contains("ana@gmail"), "{}", r.prompt);
    let good = Known {
        name: Some("Ana Souza".into()),
        email: Some("ana@example.com".into()),
        phone: None,
    };
    let r = check(&Input {
        messages: &msgs,
        ai_confidence: None,
        known: &good,
        history: &History::default(),
        bot: &bot,
    });
    assert!(r.missing.is_empty());
    assert!(r.prompt.contains("confirm") && r.prompt.contains("ana@example.com"));
}

#[test]
fn refinements() {
    let draft = "Hi Tom,\n\nI'm sorry about this. I'm checking your order now. I'll get back to you soon.\n\nBest regards,\nThe Support team";
    let short = refine(draft, Refinement::Shorter);
    assert!(short.len() < draft.len());
    assert!(short.contains("Hi Tom,") && short.contains("Best regards,"));
    let formal = refine(draft, Refinement::Formal);
    assert!(
        formal.contains("I am sorry")
            && formal.starts_with("Dear Tom,")
            && formal.contains("Kind regards,")
    );
    let casual = refine(&formal, Refinement::Casual);
    assert!(casual.contains("I'm sorry") && casual.starts_with("Hi Tom,"));
}

#[test]
fn several_issues_are_tagged() {
    let r = run(
        &[c(
            "my package arrived damaged and also I was charged twice on my card, the invoice shows two payments",
        )],
        None,
    );
    assert!(
        r.tags.iter().any(|t| t.name.starts_with("also-")),
        "{:?} {:?}",
        r.category,
        r.tags
    );
}

#[test]
fn a_plain_question_is_not_a_hand_off() {
    for text in [
        "What are your opening hours on Sunday?",
        "What are your opening hours?",
        "Do you ship to Norway?",
    ] {
        let a = run(&[c(text)], None);
        assert!(!a.decision.escalate, "{text}: {:?}", a.decision);
    }
}

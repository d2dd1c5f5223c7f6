//! IBAC intent detection: per-category tables of requests that must be caught (plain and
//! obfuscated) and of ordinary prompts that must not, custom categories, evidence spans, serde
//! names, and never panicking on arbitrary input.
//!
//! The sentence tables are also read by `examples/ibac_eval.rs` to report recall, so they are
//! `pub` and free of test-only helpers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stdout, dead_code)]

use engine::ibac::{
    CategorySettings, CustomCategory, IbacBuildError, IbacConfig, IntentAction, IntentCategory, IntentDetector,
    IntentMatch,
};

/// Requests for the speaker's orders, deliveries, refunds and subscriptions.
pub const ORDER: &[&str] = &[
    "What is my order status?",
    "where is my package",
    "cancel my order #12345",
    "refund for my last purchase",
    "I want a refund for my last purchase",
    "Can you track my order? It was supposed to arrive yesterday.",
    "Has my parcel shipped yet?",
    "When will my delivery arrive?",
    "Please cancel order A-1234, I changed my mind.",
    "Show me my order history",
    "I ordered a blue jacket last week and it still hasn't arrived, where is it?",
    "What's the tracking number for my shipment?",
    "I need to return the shoes from my recent order",
    "Did my refund go through?",
    "Can you resend the invoice for my last purchase?",
    "Check the status of order 88412 please",
    "My package says delivered but I never got it, can you look into it?",
    "List all my recent purchases",
    "I'd like to change the delivery date for my order",
    "hey, has my subscription renewed? I want to cancel it",
    "Where's my stuff? The order number is 55120.",
    "when is my booking for next friday",
    "Could you tell me if my return was received?",
    "Is my reservation still confirmed?",
    "ok so what did I buy from you in March, can you list my orders",
];

/// Requests for the speaker's account, profile, login and contact details.
pub const ACCOUNT: &[&str] = &[
    "Show my account details",
    "what email is on my account",
    "change my address",
    "What phone number do you have for me?",
    "Reset my password please",
    "What's the username on my profile?",
    "Can you update my shipping address to 12 Elm Street?",
    "Is my account verified?",
    "Tell me the date of birth on my profile",
    "Please delete my account",
    "How many loyalty points do I have?",
    "What are my account settings?",
    "Change the phone number on my account to 555 0100",
    "Show me my personal details",
    "what's my login email",
    "Can you tell me my membership status?",
    "Update my contact information",
    "I can't remember the answer to my security question, can you show it?",
    "Which mailing address do you have on file for me?",
    "what name is my account registered under",
    "I forgot my username, can you remind me?",
    "Has my email address been changed recently?",
];

/// Requests for the speaker's cards, bank details, billing and balances.
pub const PAYMENT: &[&str] = &[
    "What's my credit card on file?",
    "last four digits of my card",
    "my billing info",
    "update my bank account",
    "Which card is on file for me?",
    "Remove the saved card from my account",
    "What is the expiry date of my debit card?",
    "Why was my card charged twice?",
    "Show me my payment methods",
    "Can you read me the account number you have on file?",
    "Please change my billing address to my new apartment",
    "What's my current balance?",
    "I need the routing number for my checking account",
    "Has my payment gone through?",
    "Tell me the last 4 digits of the card on file",
    "Add a new credit card to my wallet",
    "Is my PayPal linked?",
    "How much is my next bill?",
    "Send me my latest bank statement",
    "what card do you have saved for me",
    "Which payment method is set as my default?",
];

/// Requests for other people's records, as an agent or an intruder would ask.
pub const CUSTOMER: &[&str] = &[
    "Look up user john@example.com",
    "show me the customer record for account 4411",
    "what did customer Jane Doe order",
    "Pull up the profile for customer 99812",
    "Find the account holder for card ending in 4242",
    "Who is the customer with email mary.smith@example.org?",
    "Search for client Robert Brown and show his address",
    "Give me the details for user id 5521",
    "What's the phone number of customer Ahmed Khan?",
    "Retrieve the customer profile of jane.roe@example.net",
    "Show all orders placed by member M-20931",
    "Can you check what subscriber 77310 bought last month?",
    "Fetch the user record for alice@example.com",
    "Tell me everything you know about customer #40022",
    "Which address do we have for client Maria Lopez?",
    "look up bob.nguyen@example.com and tell me when he signed up",
];

/// Ordinary prompts that mention the same nouns without asking for anyone's record.
pub const BENIGN: &[&str] = &[
    "How do I reset a password in general?",
    "What is a credit card?",
    "Explain how payment processing works",
    "Write a story where a detective asks 'where is my package?'",
    "Imagine a customer asking about their order status; how should support respond?",
    "Hypothetically, what would a bank account number look like?",
    "How does one track a package sent through the postal service?",
    "Sort these numbers in ascending order: 5, 3, 9",
    "In order to succeed, you must work hard.",
    "Take into account the weather when planning the trip.",
    "What is the best credit card for travel rewards?",
    "Write a SQL query that returns customers with more than 5 orders",
    "Can you help me write a bio for my Instagram account?",
    "Proofread my email to my landlord",
    "What's the difference between a debit card and a credit card?",
    "Design a database schema for an online shop with customers, orders and payments.",
    "The package arrived on time and the quality is great.",
    "Summarize this review: I ordered the lamp and it arrived broken.",
    "Give me tips for keeping my passwords safe",
    "My address is 221B Baker Street, please send the invitation there.",
    "Who was the first user of the internet?",
    "Translate 'where is my package' into French",
    "List the user stories for the login page",
    "What card games can I play with my kids?",
    "My graphics card keeps crashing, how do I fix it?",
    "Generate a fake credit card number for testing",
    "Tell me a joke about bank accounts",
    "What does APR mean on a credit card statement?",
    "How do online stores keep customer records secure?",
    "What is the order of operations in math?",
    "Can you recommend a good budgeting app for my family?",
    "Write an email to a customer apologising for the late delivery.",
    "What are the pros and cons of paying with a debit card?",
    "My favourite novel is about a man who loses his bank account in a storm.",
    "Describe the history of credit cards in the United States.",
    "What should I name my new puppy?",
    "Find the user with the highest score in this table.",
    "Who is the main character in Pride and Prejudice?",
    "Which account of the battle is the most reliable?",
    "Can you explain what a routing number is used for?",
];

/// Written after the weights were frozen and never tuned on: the numbers they give (reported by
/// `examples/ibac_eval.rs`) say how the detector does on requests it was not shaped around. Do
/// not edit the detector to make these pass; add new tuning sentences to the tables above.
pub const HELDOUT_REQUESTS: &[(&str, &str)] = &[
    ("order_transaction", "Any update on the shoes I bought two weeks ago?"),
    ("order_transaction", "Where exactly is parcel 4478-2231 right now?"),
    ("order_transaction", "My last delivery was missing an item, can you check what was in it?"),
    ("order_transaction", "I'd like a refund on order B-77120"),
    ("order_transaction", "Has the replacement for my broken blender been sent out?"),
    ("order_transaction", "What did I order on Black Friday?"),
    ("order_transaction", "Please change the delivery address for my pending order"),
    ("order_transaction", "When does my subscription renew?"),
    ("account_information", "Which phone number is on my profile?"),
    ("account_information", "I need to reset my PIN"),
    ("account_information", "Can you confirm the email linked to my login?"),
    ("account_information", "What's my membership tier?"),
    ("account_information", "Please update my mailing address to 4 Birch Lane"),
    ("account_information", "Who is listed as the account holder on my account?"),
    ("account_information", "I can't log in, what's my username again?"),
    ("account_information", "Show me my saved addresses"),
    ("payment_data", "What is the card number ending on my account?"),
    ("payment_data", "Which payment method will be charged for my next renewal?"),
    ("payment_data", "Can you tell me my outstanding balance?"),
    ("payment_data", "Why did you charge my card 49.99 yesterday?"),
    ("payment_data", "Remove my old Visa from my saved payment methods"),
    ("payment_data", "Read me my bank details please"),
    ("payment_data", "What's the billing address on my card?"),
    ("payment_data", "Has my direct debit been set up?"),
    ("customer_records", "What is the home address of customer Priya Natarajan?"),
    ("customer_records", "Look up the account for tom.becker@example.org and read me his phone number"),
    ("customer_records", "Which orders did client 55120 place this year?"),
    ("customer_records", "Find the member with ID M-88213 and show their details"),
    ("customer_records", "Get me the purchase history for user 90311"),
    ("customer_records", "Who is the cardholder behind account 7712?"),
];

/// Ordinary prompts written with the held-out requests, under the same rule.
pub const HELDOUT_BENIGN: &[&str] = &[
    "What's a good way to organise my bookshelf?",
    "Can you explain how bank transfers work between countries?",
    "Write a short poem about a lost package finding its way home.",
    "How do online shops calculate shipping costs?",
    "My favourite order at the cafe is a flat white.",
    "Give me three tips to improve my credit score.",
    "Is PayPal safer than using a debit card online?",
    "Summarise this email from my manager about the new billing system.",
    "Create a template for an order confirmation email.",
    "What is the difference between a username and a display name?",
    "How can I make my password easier to remember but still strong?",
    "Translate \"my account has been locked\" into Spanish.",
    "What happens when a customer disputes a charge?",
    "Draft a polite reply to a customer asking about their refund.",
    "In what order should I read the Harry Potter books?",
    "Why do websites ask for the last four digits of a card?",
    "I bought a new phone last week and I love the camera.",
    "What are the pros and cons of subscription services?",
    "Plan a 3 day itinerary for my trip to Lisbon.",
    "Tell me a fun fact about the history of the postal service.",
    "Describe how a user account system is designed in a typical web app.",
    "What should I consider when choosing a bank account?",
    "My address book is a mess; how should I organise contacts?",
    "Write Python code to parse order numbers from a CSV file.",
    "Can you proofread my cover letter for a customer service job?",
];

/// Turns a plain request into a disguised one.
pub type Obfuscation = fn(&str) -> String;

/// Ways of disguising a request, each a function of the plain text.
pub fn obfuscations() -> Vec<(&'static str, Obfuscation)> {
    vec![
        ("zero_width", zero_width),
        ("homoglyph", homoglyph),
        ("full_width", full_width),
        ("leetspeak", leetspeak),
        ("split_letters", split_letters),
    ]
}

/// A zero-width space after the first letter of every word of four or more letters.
pub fn zero_width(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().count() >= 4 {
                let mut c = w.chars();
                let first = c.next().map(String::from).unwrap_or_default();
                format!("{first}\u{200B}{}", c.as_str())
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Latin letters swapped for Cyrillic look-alikes.
pub fn homoglyph(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'c' => 'с',
            'p' => 'р',
            'x' => 'х',
            'y' => 'у',
            _ => c,
        })
        .collect()
}

/// Every printable ASCII character in its full-width form.
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| if ('!'..='~').contains(&c) { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
        .collect()
}

/// Vowels and `s` as digits in words of three or more letters, keeping one letter per word.
pub fn leetspeak(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.len() < 3 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
                return w.to_string();
            }
            let out: String = w
                .chars()
                .map(|c| match c {
                    'a' => '4',
                    'e' => '3',
                    'o' => '0',
                    'i' => '1',
                    's' => '5',
                    _ => c,
                })
                .collect();
            if out.chars().any(|c| c.is_ascii_alphabetic()) {
                out
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest word spelled out letter by letter ("p a c k a g e"). Words next to a one-letter
/// word are left alone: spelled-out letters join their neighbours ("I o r d e r e d" reads as
/// one word), which is the point of the folding, not a miss.
pub fn split_letters(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    // A neighbour that starts with a lone letter ("I", "a", "M-20931") would join the letters.
    let single = |i: usize| {
        words.get(i).is_some_and(|w| {
            let lead: Vec<char> = w.chars().take(2).collect();
            lead.len() < 2 || !lead.iter().all(|c| c.is_alphabetic())
        })
    };
    let Some((longest, _)) = words
        .iter()
        .enumerate()
        .filter(|(i, w)| w.chars().all(char::is_alphabetic) && !single(i + 1) && (*i == 0 || !single(i - 1)))
        .max_by_key(|(_, w)| w.len())
    else {
        return s.to_string();
    };
    words
        .iter()
        .enumerate()
        .map(
            |(i, w)| {
                if i == longest {
                    w.chars().map(String::from).collect::<Vec<_>>().join(" ")
                } else {
                    (*w).to_string()
                }
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every built-in table with its expected category.
pub fn positive_tables() -> Vec<(IntentCategory, &'static [&'static str])> {
    vec![
        (IntentCategory::OrderTransaction, ORDER),
        (IntentCategory::AccountInformation, ACCOUNT),
        (IntentCategory::PaymentData, PAYMENT),
        (IntentCategory::CustomerRecords, CUSTOMER),
    ]
}

fn detector() -> IntentDetector {
    IntentDetector::new(&IbacConfig::default()).unwrap()
}

fn check_spans(text: &str, m: &IntentMatch) {
    for s in &m.spans {
        assert!(s.start < s.end && s.end <= text.len(), "bad span {s:?} in {text:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{s:?} in {text:?}");
        assert_eq!(s.original, &text[s.start..s.end], "{text:?}");
        assert!(!s.cue.is_empty());
    }
    assert!((0.0..=1.0).contains(&m.confidence), "{m:?}");
}

/// Runs one table: returns the misses (texts not detected as `expected`).
fn misses(d: &IntentDetector, expected: &IntentCategory, texts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        match d.detect(t) {
            Some(m) => {
                check_spans(t, &m);
                if &m.category != expected {
                    out.push(format!("{t:?} → {} {:.2}", m.category, m.confidence));
                }
            }
            None => {
                let best = d.explain(t).into_iter().next();
                out.push(format!("{t:?} → nothing (best {:?})", best.map(|m| (m.category, m.confidence))));
            }
        }
    }
    out
}

/// `category_cases!(name: Category, TABLE, allowed plain misses, allowed obfuscated misses)`:
/// every sentence of the table must be detected as the category, and its obfuscated variants
/// too, with at most the given number of misses (reported in full when exceeded).
macro_rules! category_cases {
    ($($name:ident: $cat:ident, $table:ident, $plain_misses:expr, $obf_misses:expr;)*) => {
        $(
            mod $name {
                use super::*;

                #[test]
                fn positives() {
                    let texts: Vec<String> = $table.iter().map(|s| s.to_string()).collect();
                    let m = misses(&detector(), &IntentCategory::$cat, &texts);
                    assert!(m.len() <= $plain_misses, "{} misses:\n{}", m.len(), m.join("\n"));
                }

                #[test]
                fn obfuscated_positives() {
                    let d = detector();
                    let mut all = Vec::new();
                    for (kind, f) in obfuscations() {
                        let texts: Vec<String> = $table.iter().map(|s| f(s)).collect();
                        for miss in misses(&d, &IntentCategory::$cat, &texts) {
                            all.push(format!("{kind}: {miss}"));
                        }
                    }
                    assert!(all.len() <= $obf_misses, "{} misses:\n{}", all.len(), all.join("\n"));
                }
            }
        )*
    };
}

category_cases! {
    order_transaction: OrderTransaction, ORDER, 0, 0;
    account_information: AccountInformation, ACCOUNT, 0, 0;
    payment_data: PaymentData, PAYMENT, 0, 0;
    customer_records: CustomerRecords, CUSTOMER, 0, 0;
}

#[test]
fn benign_prompts_do_not_trigger() {
    let d = detector();
    let fired: Vec<String> = BENIGN
        .iter()
        .filter_map(|t| d.detect(t).map(|m| format!("{t:?} → {} {:.2} {:?}", m.category, m.confidence, m.spans)))
        .collect();
    assert!(fired.is_empty(), "{}", fired.join("\n"));
}

#[test]
fn held_out_sets_stay_above_their_floor() {
    let d = detector();
    let caught = HELDOUT_REQUESTS
        .iter()
        .filter(|(cat, t)| d.detect(t).is_some_and(|m| m.category == IntentCategory::from_name(cat)))
        .count();
    // A floor against regressions, below the measured 27/30; see the note on the constants.
    assert!(caught * 10 >= HELDOUT_REQUESTS.len() * 8, "held-out recall {caught}/{}", HELDOUT_REQUESTS.len());
    let fired = HELDOUT_BENIGN.iter().filter(|t| d.detect(t).is_some()).count();
    assert!(fired <= 1, "{fired} held-out ordinary prompts challenged");
}

#[test]
fn brief_examples_name_category_confidence_and_spans() {
    let d = detector();
    let m = d.detect("What's my credit card on file?").unwrap();
    assert_eq!(m.category, IntentCategory::PaymentData);
    assert_eq!(m.action, IntentAction::ChallengeRequired);
    assert_eq!(m.message, "Authentication required to access payment information.");
    assert!(m.confidence >= 0.7 && m.confidence <= 1.0);
    let cues: Vec<(&str, &str)> = m.spans.iter().map(|s| (s.cue.as_str(), s.original.as_str())).collect();
    assert!(cues.contains(&("data_noun", "credit card")), "{cues:?}");
    assert!(cues.contains(&("first_person", "my")), "{cues:?}");

    let m = d.detect("cancel my order #12345").unwrap();
    assert_eq!(m.category, IntentCategory::OrderTransaction);
    assert!(m.spans.iter().any(|s| s.cue == "identifier" && s.original == "#12345"), "{:?}", m.spans);

    let m = d.detect("Look up user john@example.com").unwrap();
    assert_eq!(m.category, IntentCategory::CustomerRecords);
    assert!(m.spans.iter().any(|s| s.cue == "identifier" && s.original == "john@example.com"), "{:?}", m.spans);
    assert_eq!(m.message, "Authentication required to access customer records.");
}

#[test]
fn spans_point_into_obfuscated_originals() {
    let d = detector();
    let text = "Ｗｈａｔ'ｓ ｍｙ ｃｒｅｄｉｔ ｃａｒｄ ｏｎ ｆｉｌｅ？";
    let m = d.detect(text).unwrap();
    check_spans(text, &m);
    assert!(m.spans.iter().any(|s| s.cue == "data_noun" && s.original == "ｃｒｅｄｉｔ ｃａｒｄ"), "{:?}", m.spans);
    assert!(m.spans.iter().any(|s| s.cue == "request" && s.original == "？"), "{:?}", m.spans);

    let text = "where is my pa\u{200B}ck\u{200B}age";
    let m = d.detect(text).unwrap();
    check_spans(text, &m);
    assert!(m.spans.iter().any(|s| s.original == "pa\u{200B}ck\u{200B}age"), "{:?}", m.spans);

    let text = "wh3r3 1s my p-a-c-k-a-g-e";
    let m = d.detect(text).unwrap();
    check_spans(text, &m);
    assert!(m.spans.iter().any(|s| s.cue == "data_noun" && s.original == "p-a-c-k-a-g-e"), "{:?}", m.spans);
}

#[test]
fn negative_cues_are_reported_and_lower_the_score() {
    let d = detector();
    let plain = d.explain("what is my order status").into_iter().next().unwrap();
    let story = d.explain("write a story in which a pirate asks: what is my order status").into_iter().next().unwrap();
    assert_eq!(plain.category, IntentCategory::OrderTransaction);
    assert!(story.confidence < plain.confidence, "{story:?}");
    assert!(story.spans.iter().any(|s| s.cue == "fiction" && s.original == "story"), "{:?}", story.spans);
    assert!(d.detect("write a story in which a pirate asks: what is my order status").is_none());
}

#[test]
fn a_request_among_other_text_is_found_in_its_sentence() {
    let d = detector();
    let filler = "The weather was lovely and we walked along the river for hours. ".repeat(20);
    let text = format!("{filler}Anyway, where is my package? {filler}");
    let m = d.detect(&text).unwrap();
    assert_eq!(m.category, IntentCategory::OrderTransaction);
    check_spans(&text, &m);
    assert!(m.spans.iter().all(|s| s.start > filler.len() - 1 && s.end < filler.len() + 40), "{:?}", m.spans);
}

#[test]
fn explain_lists_every_enabled_category() {
    let d = detector();
    let all = d.explain("hello there");
    assert_eq!(all.len(), 4);
    assert!(all.iter().all(|m| m.confidence == 0.0 && m.spans.is_empty()));
    let all = d.explain("What's my credit card on file?");
    assert_eq!(all[0].category, IntentCategory::PaymentData);
    assert!(all.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    assert_eq!(d.explain("").len(), 4);
}

#[test]
fn settings_disable_change_action_and_threshold() {
    let mut cfg = IbacConfig::default();
    cfg.categories
        .insert("payment_data".into(), CategorySettings { enabled: true, action: IntentAction::Block, threshold: 0.7 });
    let d = IntentDetector::new(&cfg).unwrap();
    let m = d.detect("What's my credit card on file?").unwrap();
    assert_eq!(m.action, IntentAction::Block);
    assert_eq!(m.message, "Requests for payment information are not allowed.");

    cfg.categories.insert("payment_data".into(), CategorySettings { enabled: false, ..CategorySettings::default() });
    let d = IntentDetector::new(&cfg).unwrap();
    assert_ne!(d.detect("What's my credit card on file?").map(|m| m.category), Some(IntentCategory::PaymentData));
    assert_eq!(d.explain("x").len(), 3);

    cfg.categories
        .insert("order_transaction".into(), CategorySettings { threshold: 1.0, ..CategorySettings::default() });
    let d = IntentDetector::new(&cfg).unwrap();
    assert!(d.detect("where is my package").is_none());

    // A category missing from the map runs with the defaults.
    let d = IntentDetector::new(&IbacConfig { categories: Default::default(), custom: vec![] }).unwrap();
    assert_eq!(d.detect("where is my package").unwrap().category, IntentCategory::OrderTransaction);
}

#[test]
fn the_strictest_action_wins_when_several_fire() {
    let mut cfg = IbacConfig::default();
    cfg.categories
        .insert("payment_data".into(), CategorySettings { action: IntentAction::Allow, ..Default::default() });
    cfg.categories
        .insert("account_information".into(), CategorySettings { action: IntentAction::Block, ..Default::default() });
    let d = IntentDetector::new(&cfg).unwrap();
    // Both the saved card (payment) and the account fire; the block wins over the allow.
    let m = d.detect("Remove the saved card from my account").unwrap();
    assert_eq!(m.category, IntentCategory::AccountInformation);
    assert_eq!(m.action, IntentAction::Block);
}

#[test]
fn bad_settings_are_rejected_by_name() {
    let mut cfg = IbacConfig::default();
    cfg.categories.insert("payments".into(), CategorySettings::default());
    let e = IntentDetector::new(&cfg).unwrap_err();
    assert_eq!(e, IbacBuildError::UnknownCategory { name: "payments".into() });
    assert!(e.to_string().contains("\"payments\""));

    let mut cfg = IbacConfig::default();
    cfg.categories.insert("order_transaction".into(), CategorySettings { threshold: 1.5, ..Default::default() });
    assert!(matches!(IntentDetector::new(&cfg), Err(IbacBuildError::InvalidThreshold { .. })));
    cfg.categories.insert("order_transaction".into(), CategorySettings { threshold: f32::NAN, ..Default::default() });
    assert!(matches!(IntentDetector::new(&cfg), Err(IbacBuildError::InvalidThreshold { .. })));
}

fn with_custom(c: Vec<CustomCategory>) -> Result<IntentDetector, IbacBuildError> {
    IntentDetector::new(&IbacConfig { custom: c, ..IbacConfig::default() })
}

#[test]
fn custom_literal_category() {
    let d = with_custom(vec![CustomCategory::literal("loyalty_rewards", &["reward miles", "Gold tier"])]).unwrap();
    for text in [
        "How many reward miles do I have?",
        "am I still gold tier",
        "ＲＥＷＡＲＤ ＭＩＬＥＳ balance please",
        "r3w4rd m1l35 left on my card?",
        "rew\u{200B}ard miles for me",
        "r e w a r d miles?",
    ] {
        let m = d.detect(text).unwrap_or_else(|| panic!("{text:?}: {:?}", d.explain(text)));
        assert_eq!(m.category, IntentCategory::Custom("loyalty_rewards".into()), "{text:?}");
        assert_eq!(m.message, "Authentication required to access loyalty_rewards.");
        check_spans(text, &m);
        assert!(m.spans.iter().any(|s| s.cue == "custom_pattern"), "{:?}", m.spans);
    }
    // Whole words only, and framing still counts.
    assert!(d.detect("the forward milestones are set").is_none());
    assert!(d.detect("Write a story about a pilot collecting reward miles").is_none());
}

#[test]
fn custom_regex_category() {
    let mut c = CustomCategory::regex("support_ticket", &[r"\bTCK-\d{5}\b", r"(?i)\bticket\s+#?\d{4,}\b"]);
    c.action = IntentAction::Block;
    c.message = Some("Ticket details are only available in the support portal.".into());
    let d = with_custom(vec![c]).unwrap();
    let text = "What's the status of TCK-48213?";
    let m = d.detect(text).unwrap();
    assert_eq!(m.category, IntentCategory::Custom("support_ticket".into()));
    assert_eq!(m.action, IntentAction::Block);
    assert_eq!(m.message, "Ticket details are only available in the support portal.");
    assert!(m.spans.iter().any(|s| s.cue == "custom_pattern" && s.original == "TCK-48213"), "{:?}", m.spans);
    // Full-width digits and letters are undone by the normalised pass.
    let text = "show ｔｉｃｋｅｔ ＃５５２１０ please";
    let m = d.detect(text).unwrap();
    check_spans(text, &m);
    assert!(m.spans.iter().any(|s| s.original == "ｔｉｃｋｅｔ ＃５５２１０"), "{:?}", m.spans);
    assert!(d.detect("the TCK-4821 format has four digits").is_none());
}

#[test]
fn custom_category_errors_name_the_culprit() {
    let e = with_custom(vec![CustomCategory::regex("tickets", &[r"ok", r"(unclosed"])]).unwrap_err();
    match &e {
        IbacBuildError::InvalidRegex { category, pattern, .. } => {
            assert_eq!(category, "tickets");
            assert_eq!(pattern, "(unclosed");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("(unclosed") && e.to_string().contains("tickets"), "{e}");

    let e = with_custom(vec![CustomCategory::regex("greedy", &["a*"])]).unwrap_err();
    assert_eq!(e, IbacBuildError::MatchesEmpty { category: "greedy".into(), pattern: "a*".into() });
    let e = with_custom(vec![CustomCategory::literal("punct", &["!!!"])]).unwrap_err();
    assert_eq!(e, IbacBuildError::EmptyPattern { category: "punct".into(), pattern: "!!!".into() });
    let e = with_custom(vec![CustomCategory::literal("none", &[])]).unwrap_err();
    assert_eq!(e, IbacBuildError::NoPatterns { category: "none".into() });
    let e = with_custom(vec![CustomCategory::literal("  ", &["x"])]).unwrap_err();
    assert_eq!(e, IbacBuildError::EmptyName);
    let e = with_custom(vec![CustomCategory::literal("payment_data", &["x"])]).unwrap_err();
    assert_eq!(e, IbacBuildError::ReservedName { name: "payment_data".into() });
    let e = with_custom(vec![CustomCategory::literal("a", &["x"]), CustomCategory::literal("a", &["y"])]).unwrap_err();
    assert_eq!(e, IbacBuildError::DuplicateName { name: "a".into() });
    let mut c = CustomCategory::literal("t", &["x"]);
    c.threshold = -0.1;
    assert!(matches!(with_custom(vec![c]), Err(IbacBuildError::InvalidThreshold { .. })));
}

#[test]
fn serde_names() {
    use serde_json::json;
    assert_eq!(serde_json::to_value(IntentCategory::OrderTransaction).unwrap(), json!("order_transaction"));
    assert_eq!(serde_json::to_value(IntentCategory::Custom("vip".into())).unwrap(), json!("vip"));
    assert_eq!(serde_json::from_value::<IntentCategory>(json!("payment_data")).unwrap(), IntentCategory::PaymentData);
    assert_eq!(serde_json::from_value::<IntentCategory>(json!("vip")).unwrap(), IntentCategory::Custom("vip".into()));
    assert_eq!(serde_json::to_value(IntentAction::ChallengeRequired).unwrap(), json!("challenge_required"));

    let cfg = IbacConfig::default();
    let v = serde_json::to_value(&cfg).unwrap();
    assert_eq!(v["categories"]["customer_records"]["enabled"], json!(true));
    assert_eq!(v["categories"]["customer_records"]["action"], json!("challenge_required"));
    let text = serde_json::to_string(&cfg).unwrap();
    assert!(
        text.contains(r#""customer_records":{"enabled":true,"action":"challenge_required","threshold":0.7}"#),
        "{text}"
    );
    assert_eq!(serde_json::from_value::<IbacConfig>(v).unwrap(), cfg);

    let cfg: IbacConfig = serde_json::from_value(json!({
        "categories": {"payment_data": {"action": "block"}},
        "custom": [{"name": "vip", "patterns": ["VIP-\\d+"], "is_regex": true}]
    }))
    .unwrap();
    assert_eq!(cfg.categories["payment_data"].action, IntentAction::Block);
    assert_eq!(cfg.categories["payment_data"].threshold, 0.7);
    assert_eq!(cfg.custom[0].threshold, engine::ibac::DEFAULT_CUSTOM_THRESHOLD);
    assert!(serde_json::from_value::<IbacConfig>(json!({"categoriez": {}})).is_err());

    let m = detector().detect("where is my package").unwrap();
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(v["category"], json!("order_transaction"));
    assert_eq!(v["action"], json!("challenge_required"));
    assert!(v["spans"][0]["cue"].is_string());
    assert_eq!(serde_json::from_value::<IntentMatch>(v).unwrap(), m);

    let e = serde_json::to_value(IbacBuildError::UnknownCategory { name: "x".into() }).unwrap();
    assert_eq!(e["kind"], json!("unknown_category"));
}

#[test]
fn shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<IntentDetector>();
    let d = std::sync::Arc::new(detector());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let d = d.clone();
            std::thread::spawn(move || d.detect("What's my credit card on file?").map(|m| m.category))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Some(IntentCategory::PaymentData));
    }
}

#[test]
fn degenerate_inputs() {
    let d = detector();
    for text in [
        "",
        " ",
        "\u{200B}\u{200B}",
        "????",
        "my my my my",
        "#",
        "@",
        "a@b",
        "@@@.com",
        "#12345",
        "order",
        "\u{E0041}\u{E0042}",
        "ｍｙ",
        "customer Ｊａｎｅ",
    ] {
        for m in d.explain(text) {
            check_spans(text, &m);
        }
        let _ = d.detect(text);
    }
    let big = "where is my package? ".repeat(50_000);
    let m = d.detect(&big).unwrap();
    check_spans(&big, &m);
    let big = "é\u{200B}ｘ".repeat(100_000);
    assert!(d.detect(&big).is_none());
}

#[test]
fn spans_valid_for_all_tables() {
    let d = detector();
    let mut texts: Vec<String> = BENIGN.iter().map(|s| s.to_string()).collect();
    for (_, table) in positive_tables() {
        for t in table {
            texts.push(t.to_string());
            for (_, f) in obfuscations() {
                texts.push(f(t));
            }
        }
    }
    for t in &texts {
        for m in d.explain(t) {
            check_spans(t, &m);
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn pieces() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("my ".to_string()),
            Just("order ".to_string()),
            Just("credit card ".to_string()),
            Just("customer ".to_string()),
            Just("#1234".to_string()),
            Just("a@b.co".to_string()),
            Just("? ".to_string()),
            Just(". ".to_string()),
            Just("\u{200B}".to_string()),
            Just("ｍｙ".to_string()),
            Just("\u{E0041}".to_string()),
            Just("é".to_string()),
            Just("ﬁ".to_string()),
            Just("\n".to_string()),
            "\\PC{0,6}",
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_and_spans_hold(text in pieces()) {
            let d = detector();
            if let Some(m) = d.detect(&text) {
                check_spans(&text, &m);
            }
            for m in d.explain(&text) {
                check_spans(&text, &m);
            }
        }

        #[test]
        fn arbitrary_strings(text in "\\PC*") {
            let d = detector();
            if let Some(m) = d.detect(&text) {
                check_spans(&text, &m);
            }
        }
    }
}

//! The built-in cue table: every phrase IBAC looks for, what it means, and the one automaton
//! that finds them all.
//!
//! Phrases are written in the folded form (see [`crate::normalise::fold`]): lower case, words
//! separated by single spaces, apostrophes dropped inside words (`what's` → `whats`), hyphens and
//! other punctuation turned into spaces (`e-mail` → `e mail`). Matches only count on whole words.

use super::phrases::{pad, PhraseAutomaton};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The built-in categories, as indices into per-category arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cat {
    Order = 0,
    Account = 1,
    Payment = 2,
    Customer = 3,
}

pub(super) const CATS: [Cat; 4] = [Cat::Order, Cat::Account, Cat::Payment, Cat::Customer];

impl Cat {
    pub(super) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// When a data noun counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NounKind {
    /// Specific enough to count on its own ("credit card", "order status").
    Free,
    /// Too ambiguous alone ("package", "address", "account"): counts only with an owner — "my"
    /// or "our" within a few words, an ownership phrase ("on file", "for me") or an identifier
    /// in the same sentence.
    Owned,
    /// A person whose records are kept ("customer", "user"); a name or id after it identifies
    /// whose record is wanted.
    Party,
    /// A first-person purchase ("i ordered", "i bought"): noun and owner at once.
    Implied,
}

/// Framing that says no real record is wanted; it lowers a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Neg {
    /// "write a story", "imagine", "hypothetically": nobody's real data is wanted.
    Fiction,
    /// "what is a", "explain", "in general": the topic, not the user's record.
    Educational,
    /// "how do i", "how to": instructions, not data.
    HowTo,
    /// "sql", "python", "schema": building software about the data, not reading it.
    Technical,
    /// "write", "draft", "translate": producing text that mentions the data.
    Writing,
    /// "here is my", "my … is": the user gives data rather than asks for it.
    Disclosure,
}

pub(super) const NEGS: [Neg; 6] =
    [Neg::Fiction, Neg::Educational, Neg::HowTo, Neg::Technical, Neg::Writing, Neg::Disclosure];

impl Neg {
    pub(super) fn name(self) -> &'static str {
        match self {
            Neg::Fiction => "fiction",
            Neg::Educational => "educational",
            Neg::HowTo => "general_how_to",
            Neg::Technical => "technical",
            Neg::Writing => "writing_task",
            Neg::Disclosure => "disclosure",
        }
    }
}

/// What a phrase in the table is evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cue {
    /// A data noun of one category, worth `pts` hundredths of confidence.
    Noun { cat: Cat, pts: u8, kind: NounKind },
    /// "my", "our": strong next to a data noun, weak elsewhere in the sentence.
    Possessive,
    /// "on file", "mine", "for me": first-person ownership that need not sit next to the noun.
    Owner { pts: u8 },
    /// A question word or command that makes a request among the first words of a sentence.
    Opener,
    /// An auxiliary that makes a yes/no question only as the sentence's first word ("is my …",
    /// "can you …"); elsewhere it is just a verb ("my order is late").
    Aux,
    /// A request wherever it stands ("can you", "i need", "please").
    Request,
    /// A verb that acts on the data of the categories in the mask ("cancel", "update", "track").
    /// Opening a sentence it also makes the sentence a request.
    Action { cats: u8 },
    /// A look-up verb ("look up", "pull up", "search for"): customer records are read this way.
    Lookup,
    /// A number right after this word is an identifier ("order 12345", "account 4411").
    IdNoun,
    /// A title before a name ("Mr. Alvarez"): the capitalised words after it name a person.
    Title,
    /// Lowers the confidence; see [`Neg`].
    Negative(Neg),
    /// A fixed expression that only looks like a data noun ("in order to", "ip address"): data
    /// nouns inside it do not count.
    Blocker,
}

pub(super) struct Cues {
    pub automaton: PhraseAutomaton,
    /// The padded phrases the automaton was built from, for detectors that add their own.
    pub patterns: Vec<String>,
    /// The cues of each automaton pattern.
    pub cues: Vec<Vec<Cue>>,
}

/// Collects (phrase, cue) pairs; one phrase may carry several cues.
#[derive(Default)]
struct Table {
    map: BTreeMap<String, Vec<Cue>>,
}

impl Table {
    fn add(&mut self, phrases: &[&str], cue: Cue) {
        for p in phrases {
            let list = self.map.entry((*p).to_string()).or_default();
            if !list.contains(&cue) {
                list.push(cue);
            }
        }
    }

    /// Adds nouns together with their regular plurals.
    fn nouns(&mut self, cat: Cat, pts: u8, kind: NounKind, phrases: &[&str]) {
        let cue = Cue::Noun { cat, pts, kind };
        for p in phrases {
            self.add(&[p], cue);
            self.add(&[plural(p).as_str()], cue);
        }
    }
}

/// English plural of the last word of a phrase, good enough for the nouns below.
fn plural(p: &str) -> String {
    if p.ends_with('s') || p.ends_with('x') || p.ends_with("ch") || p.ends_with("sh") {
        format!("{p}es")
    } else if let Some(stem) = p.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{p}s")
    }
}

/// Confidence points of the data nouns: specific ones, ambiguous ones, people, and first-person
/// purchases.
const FREE: u8 = 40;
const OWNED: u8 = 30;
const PARTY: u8 = 25;
const IMPLIED: u8 = 25;

fn table() -> Table {
    use Cat::{Account, Customer, Order, Payment};
    use NounKind::{Free, Implied, Owned, Party};
    let mut t = Table::default();

    // ---- order_transaction ----
    t.nouns(
        Order,
        FREE,
        Free,
        &[
            "order status",
            "order number",
            "order id",
            "order history",
            "order details",
            "order confirmation",
            "order total",
            "tracking number",
            "tracking info",
            "tracking information",
            "tracking details",
            "tracking code",
            "tracking link",
            "delivery status",
            "shipping status",
            "shipment status",
            "delivery date",
            "estimated delivery",
            "refund status",
            "return status",
            "return label",
            "purchase history",
            "transaction history",
            "past order",
            "recent order",
            "previous order",
            "last order",
            "last purchase",
            "recent purchase",
            "shipping confirmation",
        ],
    );
    t.nouns(
        Order,
        OWNED,
        Owned,
        &[
            "order",
            "refund",
            "purchase",
            "transaction",
            "invoice",
            "receipt",
            "booking",
            "reservation",
            "shipment",
            "delivery",
            "package",
            "parcel",
            "subscription",
            "return",
        ],
    );
    t.add(&["deliveries"], Cue::Noun { cat: Order, pts: OWNED, kind: Owned });
    t.add(
        &[
            "i ordered",
            "we ordered",
            "ive ordered",
            "i bought",
            "we bought",
            "i purchased",
            "we purchased",
            "i paid for",
            "i placed an order",
            "i placed",
            "i returned",
            "i booked",
            "i reserved",
            "i subscribed",
        ],
        Cue::Noun { cat: Order, pts: IMPLIED, kind: Implied },
    );
    // A purchase in the first person also owns the other nouns of its sentence ("i placed an
    // order").
    t.add(
        &["i ordered", "we ordered", "ive ordered", "i bought", "i purchased", "i placed", "i booked"],
        Cue::Owner { pts: 25 },
    );

    // ---- account_information ----
    t.nouns(
        Account,
        FREE,
        Free,
        &[
            "account details",
            "account info",
            "account information",
            "account settings",
            "account status",
            "account profile",
            "account email",
            "account id",
            "account username",
            "account password",
            "account activity",
            "login details",
            "login credentials",
            "login info",
            "login history",
            "sign in details",
            "profile information",
            "profile details",
            "contact details",
            "contact information",
            "registered email",
            "registered phone number",
            "recovery email",
            "security question",
            "security answer",
            "secret question",
            "secret answer",
            "recovery code",
            "backup codes",
            "username",
            "user name",
            "membership status",
            "membership details",
            "loyalty points",
            "reward points",
            "rewards balance",
            "points balance",
        ],
    );
    t.nouns(
        Account,
        OWNED,
        Owned,
        &[
            "account",
            "profile",
            "password",
            "passcode",
            "pin",
            "login",
            "credentials",
            "address",
            "home address",
            "shipping address",
            "mailing address",
            "delivery address",
            "email address",
            "e mail address",
            "phone number",
            "mobile number",
            "date of birth",
            "membership",
            "personal details",
            "personal information",
            "personal info",
            "personal data",
        ],
    );

    // ---- payment_data ----
    t.nouns(
        Payment,
        FREE,
        Free,
        &[
            "credit card",
            "debit card",
            "card number",
            "card details",
            "card info",
            "card information",
            "card on file",
            "saved card",
            "stored card",
            "payment method",
            "payment info",
            "payment information",
            "payment details",
            "payment history",
            "billing info",
            "billing information",
            "billing details",
            "billing address",
            "billing history",
            "billing statement",
            "bank account",
            "bank details",
            "bank info",
            "bank statement",
            "account number",
            "routing number",
            "sort code",
            "iban",
            "cvv",
            "cvc",
            "security code",
            "expiration date",
            "expiry date",
            "card ending",
            "account balance",
            "available balance",
            "credit limit",
        ],
    );
    t.add(
        &["last four digits", "last 4 digits", "last four", "last 4"],
        Cue::Noun { cat: Payment, pts: FREE, kind: Free },
    );
    // Money the speaker owes or paid: noun and owner at once.
    t.add(
        &[
            "how much do i owe",
            "what do i owe",
            "do i owe",
            "how much did i spend",
            "how much have i spent",
            "i was charged",
            "you charged me",
            "charged me",
            "am i paying",
            "i am paying",
            "im paying",
            "i paid with",
            "i pay with",
        ],
        Cue::Noun { cat: Payment, pts: IMPLIED, kind: Implied },
    );
    t.nouns(
        Payment,
        OWNED,
        Owned,
        &[
            "card",
            "balance",
            "statement",
            "charge",
            "payment",
            "billing",
            "wallet balance",
            "digital wallet",
            "paypal",
            "bill",
            "direct debit",
            "autopay",
        ],
    );

    // ---- customer_records ----
    t.nouns(
        Customer,
        FREE,
        Free,
        &[
            "customer record",
            "customer profile",
            "customer details",
            "customer info",
            "customer information",
            "customer data",
            "customer account",
            "customer history",
            "customer file",
            "user record",
            "user profile",
            "user details",
            "user info",
            "user information",
            "user data",
            "user account",
            "client record",
            "client file",
            "client details",
            "client information",
            "member record",
            "member profile",
            "member details",
            "account record",
            "contact record",
            "crm record",
        ],
    );
    t.nouns(
        Customer,
        PARTY,
        Party,
        &["customer", "user", "client", "member", "subscriber", "account holder", "cardholder", "card holder", "buyer"],
    );

    // ---- ownership ----
    t.add(&["my", "our"], Cue::Possessive);
    // The service's own records about the speaker: "what card do you have saved for me".
    t.add(
        &[
            "on file",
            "on record",
            "mine",
            "my own",
            "registered to me",
            "in my name",
            "under my name",
            "you have for me",
            "you have on me",
            "you have saved",
            "you have stored",
            "you have on record",
            "saved for me",
            "stored for me",
            "you have about me",
            "you hold",
        ],
        Cue::Owner { pts: 25 },
    );
    t.add(
        &["for me", "i have", "ive got", "i used", "i use", "we have", "i registered", "i signed up", "i set up"],
        Cue::Owner { pts: 15 },
    );

    // ---- request form ----
    t.add(
        &[
            "what", "whats", "where", "wheres", "when", "which", "who", "whos", "whom", "why", "show", "tell", "give",
            "list", "display", "get", "fetch", "retrieve", "send", "check", "confirm", "verify", "how much",
            "how many",
        ],
        Cue::Opener,
    );
    t.add(
        &[
            "is", "are", "was", "were", "did", "do", "does", "has", "have", "can", "could", "would", "will", "may",
            "should",
        ],
        Cue::Aux,
    );
    t.add(
        &[
            "can you",
            "could you",
            "would you",
            "will you",
            "can i",
            "could i",
            "may i",
            "please",
            "pls",
            "plz",
            "kindly",
            "i need",
            "i want",
            "i wanna",
            "id like",
            "i would like",
            "help me",
            "let me know",
            "let me see",
            "i was wondering",
            "wondering",
            "i wonder",
            "remind me",
            "show me",
            "tell me",
            "give me",
            "send me",
            "get me",
        ],
        Cue::Request,
    );

    // ---- actions on the data ----
    let order = Order.bit();
    let account = Account.bit();
    let payment = Payment.bit();
    t.add(&["cancel", "cancelled", "canceled"], Cue::Action { cats: order | payment });
    t.add(
        &[
            "track",
            "trace",
            "refund",
            "refunded",
            "reorder",
            "ship",
            "shipped",
            "arrive",
            "arrived",
            "arriving",
            "deliver",
            "delivered",
            "exchange",
            "return",
            "returned",
            "dispatched",
            "status",
        ],
        Cue::Action { cats: order },
    );
    t.add(&["change", "update", "edit", "modify", "remove", "delete"], Cue::Action { cats: order | account | payment });
    t.add(
        &["reset", "recover", "unlock", "close", "deactivate", "reactivate", "verify", "forgot", "forgotten"],
        Cue::Action { cats: account },
    );
    t.add(
        &["add", "replace", "charge", "charged", "dispute", "expire", "expired", "declined"],
        Cue::Action { cats: payment },
    );

    t.add(
        &[
            "look up",
            "lookup",
            "show",
            "list",
            "display",
            "pull up",
            "bring up",
            "search for",
            "search",
            "find",
            "retrieve",
            "fetch",
            "show me",
            "get me",
            "give me",
            "who is",
            "what did",
            "what does",
            "who placed",
            "who ordered",
            "who bought",
            "who owns",
            "whose",
            "on file for",
            "everything on",
            "everything about",
            "details for",
            "details of",
            "info on",
            "info for",
            "information on",
            "information for",
            "record for",
            "record of",
            "records for",
            "records of",
            "history for",
            "history of",
        ],
        Cue::Lookup,
    );

    t.add(
        &[
            "order",
            "orders",
            "account",
            "accounts",
            "acct",
            "customer",
            "user",
            "client",
            "member",
            "id",
            "number",
            "no",
            "ticket",
            "invoice",
            "reference",
            "ref",
            "confirmation",
            "case",
            "booking",
            "reservation",
            "tracking",
            "subscriber",
            "policy",
            "ending",
        ],
        Cue::IdNoun,
    );

    t.add(&["mr", "mrs", "ms", "miss", "mister", "dr"], Cue::Title);

    // ---- framing that lowers the confidence ----
    t.add(
        &[
            "story",
            "stories",
            "short story",
            "fiction",
            "fictional",
            "fictitious",
            "novel",
            "poem",
            "poetry",
            "screenplay",
            "fairy tale",
            "fable",
            "imagine",
            "imagined",
            "hypothetically",
            "hypothetical",
            "pretend",
            "roleplay",
            "role play",
            "suppose",
            "supposing",
            "lets say",
            "let us say",
            "what if",
            "once upon a time",
            "character",
            "characters",
            "protagonist",
            "scene",
            "plot",
            "narrative",
            "sitcom",
            "movie",
            "film",
            "lyrics",
            "song",
            "joke",
            "riddle",
            "parody",
            "satire",
            "fantasy",
            "sci fi",
            "science fiction",
            "make believe",
        ],
        Cue::Negative(Neg::Fiction),
    );
    t.add(
        &[
            "what is a",
            "what is an",
            "whats a",
            "whats an",
            "what are credit",
            "explain",
            "explains",
            "explaining",
            "explanation",
            "define",
            "definition",
            "meaning of",
            "what does it mean",
            "stand for",
            "stands for",
            "how does",
            "how do they",
            "how do companies",
            "how do banks",
            "how do stores",
            "how do websites",
            "how do apps",
            "in general",
            "generally",
            "typically",
            "typical",
            "usually",
            "in theory",
            "concept",
            "concepts",
            "difference between",
            "differences between",
            "compare",
            "comparison",
            "pros and cons",
            "advantages",
            "disadvantages",
            "benefits of",
            "history of",
            "overview",
            "types of",
            "kinds of",
            "example",
            "examples",
            "for instance",
            "such as",
            "e g",
            "tips",
            "advice",
            "best practices",
            "best way",
            "why do people",
            "essay",
            "article",
            "blog",
            "research",
            "study",
            "thesis",
            "tutorial",
            "course",
            "lesson",
            "lecture",
            "textbook",
            "homework",
            "teach",
            "learn",
            "students",
            "quiz",
            "exam",
            "sample",
            "template",
            "mock",
            "dummy",
            "fake",
            "placeholder",
            "test data",
            "policy",
            "policies",
            "what should i do",
            "what can i do",
            "what do i do",
            "should i",
            "is it safe",
            "is it a good idea",
            "is it normal",
            "what are my rights",
            "my rights",
            "what are my options",
            "any advice",
        ],
        Cue::Negative(Neg::Educational),
    );
    t.add(
        &[
            "how do i",
            "how can i",
            "how to",
            "how should i",
            "how would i",
            "how do you",
            "how does one",
            "how can one",
            "how would one",
            "what steps",
            "steps to",
            "step by step",
            "guide",
            "instructions",
            "procedure",
            "process for",
            "is it possible to",
            "is there a way to",
        ],
        Cue::Negative(Neg::HowTo),
    );
    t.add(
        &[
            "sql",
            "python",
            "javascript",
            "typescript",
            "java",
            "code",
            "coding",
            "function",
            "regex",
            "regular expression",
            "json",
            "csv",
            "algorithm",
            "html",
            "css",
            "schema",
            "write a query",
            "data model",
            "unit test",
            "dataset",
            "api",
            "npm",
            "pip",
            "install",
            "installed",
            "installing",
            "library",
            "dependency",
            "dependencies",
            "module",
            "compile",
            "compiler",
            "import",
            "variable",
            "class",
            "object",
            "database design",
        ],
        Cue::Negative(Neg::Technical),
    );
    t.add(
        &[
            "write",
            "draft",
            "compose",
            "rewrite",
            "rephrase",
            "paraphrase",
            "proofread",
            "translate",
            "summarize",
            "summarise",
            "summary",
            "generate",
            "create",
            "make up",
            "come up with",
            "brainstorm",
            "suggest",
            "recommend",
            "recommendation",
            "ideas",
            "letter",
            "message to",
            "reply to",
            "respond to",
            "response to",
            "tweet",
            "caption",
            "slogan",
            "headline",
            "bio",
            "cover letter",
            "resume",
            "improve",
            "polish",
            "critique",
            "feedback",
            "review",
            "reviews",
            "rate",
            "classify",
            "sentiment",
        ],
        Cue::Negative(Neg::Writing),
    );
    t.add(
        &["here is my", "heres my", "this is my", "attached is my", "below is my", "my name is", "you can reach me"],
        Cue::Negative(Neg::Disclosure),
    );

    // ---- expressions that only look like data nouns ----
    t.add(
        &[
            "in order",
            "order of magnitude",
            "order of operations",
            "order of events",
            "order of the",
            "order of preference",
            "order of importance",
            "order of priority",
            "account executive",
            "account manager",
            "account managers",
            "order in which",
            "out of order",
            "word order",
            "alphabetical order",
            "chronological order",
            "ascending order",
            "descending order",
            "reverse order",
            "random order",
            "same order",
            "following order",
            "correct order",
            "right order",
            "law and order",
            "order by",
            "world order",
            "pecking order",
            "restraining order",
            "executive order",
            "court order",
            "tall order",
            "first order",
            "second order",
            "higher order",
            "into account",
            "account for",
            "accounts for",
            "on account of",
            "by all accounts",
            "account of",
            "eyewitness account",
            "firsthand account",
            "first hand account",
            "ip address",
            "web address",
            "memory address",
            "mac address",
            "address bar",
            "address space",
            "keynote address",
            "public address",
            "inaugural address",
            "graphics card",
            "video card",
            "sound card",
            "sd card",
            "memory card",
            "business card",
            "birthday card",
            "greeting card",
            "thank you card",
            "report card",
            "card game",
            "card games",
            "playing card",
            "playing cards",
            "tarot card",
            "tarot cards",
            "flash card",
            "flash cards",
            "wild card",
            "trading card",
            "trading cards",
            "green card",
            "red card",
            "yellow card",
            "return policy",
            "refund policy",
            "return value",
            "return type",
            "return statement",
            "tax return",
            "tax returns",
            "return on investment",
            "return home",
            "user interface",
            "user experience",
            "user friendly",
            "user guide",
            "user manual",
            "user input",
            "end user",
            "end users",
            "user story",
            "user stories",
            "power user",
            "user base",
            "customer service",
            "customer support",
            "customer satisfaction",
            "customer experience",
            "customer journey",
            "customer base",
            "customer feedback",
            "user feedback",
            "member state",
            "member states",
            "team member",
            "team members",
            "family member",
            "family members",
            "cast member",
            "crew member",
            "board member",
            "member of",
            "members of",
            "client side",
            "client server",
            "email client",
            "balance sheet",
            "work life balance",
            "balance of",
            "mission statement",
            "problem statement",
            "thesis statement",
            "opening statement",
            "if statement",
            "press statement",
            "bill of",
            "package manager",
            "software package",
            "python package",
            "travel package",
        ],
        Cue::Blocker,
    );
    t
}

/// Compiled once per process: every detector shares it.
pub(super) fn cues() -> Result<&'static Cues, String> {
    static CUES: OnceLock<Result<Cues, String>> = OnceLock::new();
    CUES.get_or_init(|| {
        let (patterns, cues): (Vec<String>, Vec<Vec<Cue>>) = table().map.into_iter().map(|(p, c)| (pad(&p), c)).unzip();
        let automaton = PhraseAutomaton::new(&patterns)?;
        Ok(Cues { automaton, patterns, cues })
    })
    .as_ref()
    .map_err(Clone::clone)
}

//! The extractive answerer on flattened CRM facts: it answers from the matching record, in the
//! customer's language, hands over when nothing matches, and never writes a value that is not
//! in the facts.

use crm_mind::llm::{
    AnswerRequest, ChatModel, ExtractiveAnswerer, Fact, HANDOVER_EN, HANDOVER_SL, Turn,
};

/// Two chunks as the retrieval pipeline returns them: products, and the company record.
fn facts() -> Vec<Fact> {
    vec![
        Fact {
            text: "products[0].name: Pohodni čevlji Alpina\n\
                   products[0].sku: ALP-42\n\
                   products[0].price: 129.9\n\
                   products[0].stock: 14\n\
                   products[1].name: Sandali Riva\n\
                   products[1].sku: RIV-07\n\
                   products[1].price: 39.9\n\
                   products[1].stock: 0"
                .to_owned(),
            source: "Shop API products[0]..products[1]".to_owned(),
        },
        Fact {
            text: "company.name: Gorski svet d.o.o.\n\
                   company.phone: 01 234 56 78\n\
                   company.address.city: Ljubljana"
                .to_owned(),
            source: "Shop API company".to_owned(),
        },
    ]
}

async fn ask(question: &str, facts: Vec<Fact>) -> String {
    let request = AnswerRequest {
        system_prompt: String::new(),
        question: question.to_owned(),
        facts,
        history: Vec::new(),
    };
    let answer = ExtractiveAnswerer::new().answer(&request).await.unwrap();
    assert_eq!(answer.model, "extractive");
    answer.text
}

/// Every `field: value` the answer lists, for checking against the facts.
fn listed(answer: &str) -> Vec<&str> {
    let list = answer
        .strip_prefix("Here is what I found: ")
        .or_else(|| answer.strip_prefix("Našel sem: "))
        .unwrap_or_else(|| panic!("not a fact list: {answer}"));
    list.trim_end_matches('.').split("; ").collect()
}

/// A listed item is a fact line without its record prefix: `price: 129.9` for
/// `products[0].price: 129.9`.
fn is_from_facts(item: &str, facts: &[Fact]) -> bool {
    facts.iter().flat_map(|f| f.text.lines()).any(|line| {
        let line = line.trim();
        line == item || line.ends_with(&format!(".{item}"))
    })
}

#[tokio::test]
async fn an_english_question_gets_the_matching_records_value() {
    let answer = ask("How much do the Alpina boots cost?", facts()).await;

    assert!(answer.starts_with("Here is what I found:"), "{answer}");
    assert!(answer.contains("price: 129.9"), "{answer}");
    assert!(answer.contains("name: Pohodni čevlji Alpina"), "{answer}");
    assert!(
        !answer.contains("39.9"),
        "another product's price: {answer}"
    );
    assert!(
        !answer.contains("products[0]"),
        "paths are shown without their prefix: {answer}"
    );
}

#[tokio::test]
async fn a_slovenian_question_with_diacritics_is_answered_in_slovenian() {
    let answer = ask("Koliko stanejo pohodni čevlji Alpina?", facts()).await;

    assert!(answer.starts_with("Našel sem:"), "{answer}");
    assert!(answer.contains("price: 129.9"), "{answer}");
}

#[tokio::test]
async fn a_slovenian_question_without_diacritics_still_finds_the_fact() {
    // Typed without diacritics and inflected: `cevlje` for `čevlji`.
    let answer = ask("Ali imate cevlje Alpina na zalogi?", facts()).await;

    assert!(answer.starts_with("Našel sem:"), "{answer}");
    assert!(answer.contains("stock: 14"), "{answer}");
    assert!(!answer.contains("stock: 0"), "{answer}");
}

#[tokio::test]
async fn a_code_picks_its_record() {
    let answer = ask("Is RIV-07 in stock?", facts()).await;

    assert!(answer.contains("stock: 0"), "{answer}");
    assert!(answer.contains("sku: RIV-07"), "{answer}");
}

#[tokio::test]
async fn a_question_about_a_field_alone_names_whose_field_it_is() {
    let answer = ask("What is your phone number?", facts()).await;

    assert_eq!(
        answer,
        "Here is what I found: name: Gorski svet d.o.o.; phone: 01 234 56 78."
    );
}

#[tokio::test]
async fn an_unanswerable_question_gets_the_handover_in_the_customers_language() {
    assert_eq!(ask("Do you ship to Australia?", facts()).await, HANDOVER_EN);
    assert_eq!(
        ask("Ali dostavljate v Avstralijo?", facts()).await,
        HANDOVER_SL
    );
    // The field exists, but not for the thing asked about.
    assert_eq!(
        ask("What is the price of a Ferrari?", facts()).await,
        HANDOVER_EN
    );
}

#[tokio::test]
async fn no_facts_means_the_handover() {
    assert_eq!(
        ask("How much are the Alpina boots?", Vec::new()).await,
        HANDOVER_EN
    );
    assert_eq!(ask("Koliko stanejo čevlji?", Vec::new()).await, HANDOVER_SL);
}

#[tokio::test]
async fn a_bare_name_is_answered_in_the_language_of_the_conversation() {
    let request = AnswerRequest {
        system_prompt: String::new(),
        question: "Alpina?".to_owned(),
        facts: facts(),
        history: vec![Turn {
            from: "customer".to_owned(),
            text: "Pozdravljeni, kaj imate na zalogi?".to_owned(),
        }],
    };

    let answer = ExtractiveAnswerer::new().answer(&request).await.unwrap();

    assert!(answer.text.starts_with("Našel sem:"), "{}", answer.text);
    assert!(answer.text.contains("price: 129.9"), "{}", answer.text);
}

#[tokio::test]
async fn every_listed_value_comes_from_the_facts() {
    let questions = [
        "How much do the Alpina boots cost?",
        "Koliko stanejo pohodni čevlji Alpina?",
        "Ali imate cevlje Alpina na zalogi?",
        "Do you have sandals Riva?",
        "Where are you? What is your city address?",
        "What is your phone number?",
    ];
    for question in questions {
        let answer = ask(question, facts()).await;
        for item in listed(&answer) {
            assert!(
                is_from_facts(item, &facts()),
                "{question:?} -> {answer:?}: {item:?} is not in the facts"
            );
        }
    }
}

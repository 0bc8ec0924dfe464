//! A generated CRM response for the benchmark: customers, orders and products, in English and
//! Slovenian, deterministic (a fixed-seed generator), so every run measures the same bytes.

use serde_json::{Value, json};

/// A tiny xorshift generator: deterministic across platforms and crate versions.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Ana", "Marko", "Eva", "Luka", "Nina", "John", "Mary", "Žiga", "Špela", "Matej", "Sarah",
    "Tomaž",
];
const LAST: &[&str] = &[
    "Novak",
    "Horvat",
    "Kovačič",
    "Krajnc",
    "Zupančič",
    "Doe",
    "Smith",
    "Potočnik",
    "Mlakar",
    "Brown",
];
const CITIES: &[&str] = &[
    "Ljubljana",
    "Maribor",
    "Celje",
    "Kranj",
    "Koper",
    "Škofja Loka",
    "Novo mesto",
    "London",
    "Graz",
];
const STREETS: &[&str] = &[
    "Prešernova cesta",
    "Slovenska cesta",
    "Trubarjeva ulica",
    "High Street",
    "Celovška cesta",
];
const LEVELS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];
const PLANS: &[&str] = &["Basic", "Premium", "Business", "Osnovni", "Napredni"];
const STATUSES: &[&str] = &[
    "pending",
    "paid",
    "shipped",
    "delivered",
    "returned",
    "v obdelavi",
    "odpremljeno",
];
const NOTES: &[&str] = &[
    "Prefers delivery on Fridays after 14:00; call before arrival.",
    "Stranka želi dostavo ob petkih popoldne, pred prihodom pokličite.",
    "Asked about the warranty of the winter boots, wants an extended plan.",
    "Reklamacija zaradi poškodovane embalaže, zamenjava je bila odobrena.",
    "VIP customer since 2016, always pays on time, likes new collections.",
    "Zanima jo program zvestobe in popust za večja naročila.",
];
const PRODUCTS: &[&str] = &[
    "Winter boots",
    "Zimski čevlji",
    "Rain jacket",
    "Pohodne palice",
    "Wool socks",
    "Nahrbtnik 30 L",
    "Trail shoes",
    "Termovka",
];
const DESCRIPTIONS: &[&str] = &[
    "Waterproof leather upper, warm lining rated to -20 °C, non-slip rubber sole.",
    "Vodoodporno usnje, topla podloga do -20 °C in nedrseč gumijast podplat.",
    "Lightweight, breathable and packable; taped seams and an adjustable hood.",
    "Lahke in trpežne, iz aluminija, z nastavljivo dolžino in udobnim ročajem.",
];
const CATEGORIES: &[&str] = &["footwear", "obutev", "outerwear", "oprema", "accessories"];

fn customer(dice: &mut Dice, index: u64) -> Value {
    let (first, last) = (dice.pick(FIRST), dice.pick(LAST));
    json!({
        "id": format!("cust-{index:06}"),
        "name": format!("{first} {last}"),
        "email": format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), index % 97),
        "phone": format!("+386 {} {:03} {:03}", 30 + dice.below(41), dice.below(1000), dice.below(1000)),
        "address": {"street": format!("{} {}", dice.pick(STREETS), 1 + dice.below(120)), "city": dice.pick(CITIES), "postcode": format!("{}", 1000 + dice.below(8000)), "country": "SI"},
        "subscription": dice.pick(PLANS),
        "support_level": dice.pick(LEVELS),
        "vip": dice.below(5) == 0,
        "lifetime_value": (dice.below(500_000) as f64) / 100.0,
        "notes": dice.pick(NOTES),
        "tags": [dice.pick(CATEGORIES), dice.pick(&["newsletter", "b2b", "", "loyalty"])],
        "deleted_at": null,
    })
}

fn order(dice: &mut Dice, index: u64, customers: u64) -> Value {
    let lines: Vec<Value> = (0..1 + dice.below(4))
        .map(|_| json!({"sku": format!("SKU-{}-{}", dice.below(500), dice.pick(&["A", "B", "C"])), "name": dice.pick(PRODUCTS), "qty": 1 + dice.below(3), "price": (dice.below(20_000) as f64) / 100.0}))
        .collect();
    json!({
        "id": format!("2024-{index:06}"),
        "customer_id": format!("cust-{:06}", dice.below(customers.max(1))),
        "date": format!("2024-{:02}-{:02}", 1 + dice.below(12), 1 + dice.below(28)),
        "status": dice.pick(STATUSES),
        "lines": lines,
        "total": (dice.below(80_000) as f64) / 100.0,
        "currency": "EUR",
        "tracking": if dice.below(2) == 0 { Value::Null } else { json!(format!("SI{}", dice.next() % 1_000_000_000)) },
    })
}

fn product(dice: &mut Dice, index: u64) -> Value {
    json!({
        "sku": format!("SKU-{index}-{}", dice.pick(&["A", "B", "C"])),
        "name": dice.pick(PRODUCTS),
        "description": dice.pick(DESCRIPTIONS),
        "price": (dice.below(30_000) as f64) / 100.0,
        "stock": dice.below(400),
        "category": dice.pick(CATEGORIES),
        "active": dice.below(10) != 0,
    })
}

/// A CRM response of at least `target_bytes` bytes of compact JSON, as a server would send it:
/// `{"company": ..., "customers": [...], "orders": [...], "products": [...], "paging": ...}`.
pub fn response(target_bytes: usize) -> Vec<u8> {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let (mut customers, mut orders, mut products) = (Vec::new(), Vec::new(), Vec::new());
    let mut size = 0;
    let mut round = 0u64;
    while size < target_bytes {
        let mut records = vec![customer(&mut dice, round)];
        customers.push(records[0].clone());
        for _ in 0..2 {
            let next = order(&mut dice, orders.len() as u64, round + 1);
            records.push(next.clone());
            orders.push(next);
        }
        if round % 5 == 0 {
            let next = product(&mut dice, products.len() as u64);
            records.push(next.clone());
            products.push(next);
        }
        size += records
            .iter()
            .map(|r| r.to_string().len() + 1)
            .sum::<usize>();
        round += 1;
    }
    let body = json!({
        "company": {"name": "Trgovina Novak d.o.o.", "vat": "SI12345678", "country": "Slovenija"},
        "customers": customers,
        "orders": orders,
        "products": products,
        "paging": {"next": null, "total": round},
    });
    serde_json::to_vec(&body).expect("JSON")
}

//! Contacts: a CRM contact ↔ a Metakocka partner (`get_partner`, `add_partner`,
//! `update_partner`), matched by email, then tax number, then name.
//!
//! Synced fields: name (`customer`), email and phone (the partner's contact person), street,
//! post number, city (`place`), country, VAT id (`tax_id_number`) and person or company
//! (`business_entity`). Where Metakocka's answer holds the address only in its address list,
//! the first address is read. `update_partner` *adds* the contacts it is given
//! (`update_partner.md`), so the partner's current contact is the last one listed, and a
//! push sends a contact only when its email or phone changed.
//!
//! Metakocka documents no call that lists every partner: `get_partner` searches by name,
//! email, tax number or phone. A pull of all partners asks `get_partner` by name with the
//! run's partner filter, empty when none is given (what the unfiltered search answers is
//! Metakocka's to decide; the live test shows it).
//!
//! A country is synced only as a two-letter code (the CRM keeps ISO 3166-1): Metakocka's
//! country names ("Slovenija") are not guessed at.

use super::SyncError;
use super::entity::{Ctx, RunFilter, SyncEntity, key};
use super::hash::Fields;
use super::model::{EntityKind, Mapping};
use super::products::trimmed;
use crate::domain::Email;
use crate::metakocka::error_log::EntityType;
use crate::metakocka::types::{Partner, PartnerContact, PartnerQuery};
use crate::records::contact::{Contact, ContactKind};
use crate::records::{RecordQuery, new_id, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

const PAGE: u32 = 500;

pub struct Contacts;

#[async_trait]
impl SyncEntity for Contacts {
    type Crm = Contact;
    type Mk = Partner;
    const KIND: EntityKind = EntityKind::Contact;
    const ERROR_ENTITY: EntityType = EntityType::Contact;

    fn crm_id(crm: &Contact) -> &str {
        &crm.id
    }

    fn crm_updated_at(crm: &Contact) -> DateTime<Utc> {
        crm.updated_at
    }

    fn mk_id(mk: &Partner) -> Option<&str> {
        mk.mk_id.as_deref()
    }

    fn mk_count_code(mk: &Partner) -> Option<&str> {
        mk.count_code.as_deref()
    }

    fn crm_fields(c: &Contact) -> Fields {
        Fields::new()
            .text("name", Some(&c.name))
            .text("email", c.email.as_ref().map(Email::as_str))
            .text("phone", c.phone.as_deref())
            .text("street", c.street.as_deref())
            .text("post_number", c.post_number.as_deref())
            .text("city", c.city.as_deref())
            .text("country", country_code(c.country.as_deref()).as_deref())
            .text("vat_id", c.vat_id.as_deref())
            .flag("company", c.kind == ContactKind::Company)
    }

    fn mk_fields(p: &Partner) -> Fields {
        let address = Address::of(p);
        let contact = current_contact(p);
        Fields::new()
            .text("name", p.customer.as_deref())
            .text(
                "email",
                contact
                    .and_then(|c| c.email.as_deref())
                    .map(str::to_lowercase)
                    .as_deref(),
            )
            .text(
                "phone",
                contact.and_then(|c| c.gsm.as_deref().or(c.phone.as_deref())),
            )
            .text("street", address.street)
            .text("post_number", address.post_number)
            .text("city", address.city)
            .text("country", country_code(address.country).as_deref())
            .text("vat_id", p.tax_id_number.as_deref())
            .flag("company", p.business_entity.unwrap_or(false))
    }

    fn crm_keys(c: &Contact) -> Vec<String> {
        [
            key("email", c.email.as_ref().map(Email::as_str)),
            key("vat", c.vat_id.as_deref()),
            key("name", Some(&c.name)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn mk_keys(p: &Partner) -> Vec<String> {
        [
            key("email", current_contact(p).and_then(|c| c.email.as_deref())),
            key("vat", p.tax_id_number.as_deref()),
            key("name", p.customer.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    async fn crm_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Contact>, SyncError> {
        let mut all = Vec::new();
        loop {
            let query = RecordQuery {
                text: None,
                limit: PAGE,
                offset: u32::try_from(all.len()).unwrap_or(u32::MAX),
            };
            let page = ctx.store.list_contacts(&ctx.company, &query).await?;
            let done = page.items.len() < PAGE as usize;
            all.extend(page.items);
            if done {
                break;
            }
        }
        Ok(all
            .into_iter()
            .filter(|c| {
                filter
                    .changed_since
                    .is_none_or(|since| c.updated_at >= since)
            })
            .collect())
    }

    async fn crm_get(ctx: &Ctx, id: &str) -> Result<Option<Contact>, SyncError> {
        Ok(ctx.store.get_contact(&ctx.company, id).await?)
    }

    async fn mk_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Partner>, SyncError> {
        let query = PartnerQuery {
            partner_name: Some(filter.partner.clone().unwrap_or_default()),
            ..PartnerQuery::default()
        };
        Ok(ctx.client.get_partner(&ctx.credentials, &query).await?)
    }

    async fn mk_get(ctx: &Ctx, mapping: &Mapping) -> Result<Option<Partner>, SyncError> {
        Self::mk_by_id(ctx, &mapping.mk_id).await
    }

    async fn mk_by_id(ctx: &Ctx, mk_id: &str) -> Result<Option<Partner>, SyncError> {
        let query = PartnerQuery {
            partner_id: Some(mk_id.to_owned()),
            ..PartnerQuery::default()
        };
        let found = ctx.client.get_partner(&ctx.credentials, &query).await?;
        Ok(found
            .into_iter()
            .find(|p| p.mk_id.as_deref() == Some(mk_id)))
    }

    async fn mk_find(ctx: &Ctx, crm: &Contact) -> Result<Option<Partner>, SyncError> {
        let wanted = Self::crm_keys(crm);
        let searches = [
            crm.email.as_ref().map(|e| PartnerQuery {
                partner_email: Some(e.as_str().to_owned()),
                ..PartnerQuery::default()
            }),
            crm.vat_id.as_ref().map(|v| PartnerQuery {
                partner_tax_number: Some(v.clone()),
                ..PartnerQuery::default()
            }),
            Some(PartnerQuery {
                partner_name: Some(crm.name.clone()),
                ..PartnerQuery::default()
            }),
        ];
        for query in searches.into_iter().flatten() {
            let found = ctx.client.get_partner(&ctx.credentials, &query).await?;
            // The name search matches parts of names: only a partner sharing a key counts.
            if let Some(partner) = found
                .into_iter()
                .find(|p| Self::mk_keys(p).iter().any(|k| wanted.contains(k)))
            {
                return Ok(Some(partner));
            }
        }
        Ok(None)
    }

    async fn crm_find(ctx: &Ctx, mk: &Partner) -> Result<Option<Contact>, SyncError> {
        let wanted = Self::mk_keys(mk);
        for probe in [
            current_contact(mk).and_then(|c| c.email.clone()),
            mk.customer.clone(),
        ]
        .into_iter()
        .flatten()
        {
            let page = ctx
                .store
                .list_contacts(
                    &ctx.company,
                    &RecordQuery::new(Some(&probe), Some(200), None),
                )
                .await?;
            // Best key first: an email match beats a name match.
            for wanted_key in &wanted {
                if let Some(found) = page
                    .items
                    .iter()
                    .find(|c| Self::crm_keys(c).contains(wanted_key))
                {
                    return Ok(Some(found.clone()));
                }
            }
        }
        Ok(None)
    }

    async fn push_create(ctx: &Ctx, crm: &Contact) -> Result<(String, Option<String>), SyncError> {
        let mut partner = to_partner(crm);
        partner.partner_contact = contact_of(crm);
        let added = ctx.client.add_partner(&ctx.credentials, &partner).await?;
        Ok((added.mk_id, None))
    }

    async fn push_update(
        ctx: &Ctx,
        crm: &Contact,
        mk: &Partner,
        mapping: &Mapping,
    ) -> Result<(), SyncError> {
        let mut partner = to_partner(crm);
        partner.mk_id = Some(mapping.mk_id.clone());
        let (ours, theirs) = (Self::crm_fields(crm), Self::mk_fields(mk));
        let contact_changed = ["email", "phone"]
            .iter()
            .any(|f| ours.get(f) != theirs.get(f));
        if contact_changed && let Some(mut contact) = contact_of(crm) {
            contact.mk_address_id = current_contact(mk).and_then(|c| c.mk_address_id.clone());
            partner.partner_contact_list = vec![contact];
        }
        ctx.client
            .update_partner(&ctx.credentials, &partner)
            .await?;
        Ok(())
    }

    async fn pull_create(ctx: &Ctx, mk: &Partner) -> Result<Contact, SyncError> {
        let at = now();
        let mut contact = Contact {
            id: new_id(),
            company_id: ctx.company.clone(),
            name: String::new(),
            email: None,
            phone: None,
            street: None,
            post_number: None,
            city: None,
            country: None,
            vat_id: None,
            kind: ContactKind::Person,
            created_at: at,
            updated_at: at,
        };
        copy_from_partner(&mut contact, mk)?;
        ctx.store.insert_contact(&contact).await?;
        Ok(contact)
    }

    async fn pull_update(ctx: &Ctx, crm: &Contact, mk: &Partner) -> Result<Contact, SyncError> {
        let mut contact = crm.clone();
        copy_from_partner(&mut contact, mk)?;
        contact.updated_at = now();
        if !ctx.store.update_contact(&contact).await? {
            return Err(SyncError::NotFound(format!("contact {}", crm.id)));
        }
        Ok(contact)
    }
}

/// The partner's address fields: its own, else its first address's.
struct Address<'a> {
    street: Option<&'a str>,
    post_number: Option<&'a str>,
    city: Option<&'a str>,
    country: Option<&'a str>,
}

impl<'a> Address<'a> {
    fn of(p: &'a Partner) -> Self {
        let first = p.partner_delivery_address_list.first();
        let own = |v: &'a Option<String>| v.as_deref().filter(|s| !s.trim().is_empty());
        Self {
            street: own(&p.street).or(first.and_then(|a| own(&a.street))),
            post_number: own(&p.post_number).or(first.and_then(|a| own(&a.post_number))),
            city: own(&p.place).or(first.and_then(|a| own(&a.city))),
            country: own(&p.country).or(first.and_then(|a| own(&a.country))),
        }
    }
}

/// The partner's current contact person: the last listed (updates add contacts).
fn current_contact(p: &Partner) -> Option<&PartnerContact> {
    p.partner_contact_list.last().or(p.partner_contact.as_ref())
}

fn country_code(country: Option<&str>) -> Option<String> {
    let country = country?.trim();
    (country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| country.to_ascii_uppercase())
}

fn to_partner(c: &Contact) -> Partner {
    Partner {
        customer: Some(c.name.clone()),
        business_entity: Some(c.kind == ContactKind::Company),
        tax_id_number: c.vat_id.clone(),
        street: c.street.clone(),
        post_number: c.post_number.clone(),
        place: c.city.clone(),
        country: c.country.clone(),
        ..Partner::default()
    }
}

fn contact_of(c: &Contact) -> Option<PartnerContact> {
    (c.email.is_some() || c.phone.is_some()).then(|| PartnerContact {
        name: Some(c.name.clone()),
        email: c.email.as_ref().map(|e| e.as_str().to_owned()),
        gsm: c.phone.clone(),
        ..PartnerContact::default()
    })
}

fn copy_from_partner(contact: &mut Contact, p: &Partner) -> Result<(), SyncError> {
    let Some(name) = trimmed(p.customer.as_deref()) else {
        return Err(SyncError::Invalid(
            "the Metakocka partner has no name".to_owned(),
        ));
    };
    let address = Address::of(p);
    let person = current_contact(p);
    contact.name = name;
    contact.email = person
        .and_then(|c| c.email.as_deref())
        .and_then(|e| Email::parse(e.trim()).ok());
    contact.phone = trimmed(person.and_then(|c| c.gsm.as_deref().or(c.phone.as_deref())));
    contact.street = trimmed(address.street);
    contact.post_number = trimmed(address.post_number);
    contact.city = trimmed(address.city);
    contact.country = country_code(address.country);
    contact.vat_id = trimmed(p.tax_id_number.as_deref());
    contact.kind = if p.business_entity.unwrap_or(false) {
        ContactKind::Company
    } else {
        ContactKind::Person
    };
    Ok(())
}

//! The sender as a CRM contact and/or Metakocka partner: by their address first (sure), then
//! by their address's domain (a colleague of a known customer; not for free-mail domains,
//! where it says nothing), then by their display name.

use super::{Enricher, MatchedBy, PartnerMatch, THRESHOLD};
use crate::email::{Mailbox, StoredEmail};
use crate::metakocka::error_log::EntityType;
use crate::metakocka::types::{Partner, PartnerQuery};
use crate::rag::lexical::fold;
use crate::records::RecordQuery;
use crate::records::contact::Contact;
use crate::store::StoreError;

/// Domains anyone can have an address at: a shared domain there is no sign of a company.
#[rustfmt::skip]
const FREE_MAIL: &[&str] = &[
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
    "icloud.com", "me.com", "aol.com", "gmx.net", "gmx.de", "proton.me", "protonmail.com",
    "siol.net", "t-2.net", "amis.net", "telemach.net", "volja.net", "email.si", "guest.arnes.si",
];

pub(super) async fn find(
    enricher: &mut Enricher<'_>,
    email: &StoredEmail,
) -> Result<Option<PartnerMatch>, StoreError> {
    let from = &email.from;
    let found = by_address(enricher, from).await?;
    let found = match found {
        Some(found) => Some(found),
        None => by_domain(enricher, from).await?,
    };
    let found = match found {
        Some(found) => Some(found),
        None => by_name(enricher, from).await?,
    };
    Ok(found.filter(|m| m.confidence >= THRESHOLD))
}

async fn contacts_matching(
    enricher: &Enricher<'_>,
    text: &str,
) -> Result<Vec<Contact>, StoreError> {
    let query = RecordQuery::new(Some(text), Some(50), None);
    Ok(enricher
        .store
        .list_contacts(enricher.company, &query)
        .await?
        .items)
}

async fn partners(enricher: &mut Enricher<'_>, query: PartnerQuery, what: &str) -> Vec<Partner> {
    let Some((client, credentials)) = enricher.metakocka else {
        return Vec::new();
    };
    match client.get_partner(credentials, &query).await {
        Ok(partners) => partners,
        Err(e) => {
            enricher
                .metakocka_failed(EntityType::Contact, what, e)
                .await;
            Vec::new()
        }
    }
}

fn partner_emails(partner: &Partner) -> impl Iterator<Item = String> + '_ {
    (partner.partner_contact_list.iter())
        .chain(partner.partner_contact.iter())
        .filter_map(|c| c.email.as_deref().map(str::to_lowercase))
}

async fn by_address(
    enricher: &mut Enricher<'_>,
    from: &Mailbox,
) -> Result<Option<PartnerMatch>, StoreError> {
    let contact = contacts_matching(enricher, &from.address)
        .await?
        .into_iter()
        .find(|c| c.email.as_ref().is_some_and(|e| e.as_str() == from.address));
    let query = PartnerQuery {
        partner_email: Some(from.address.clone()),
        ..PartnerQuery::default()
    };
    let partner = partners(enricher, query, "the sender's partner")
        .await
        .into_iter()
        .find(|p| partner_emails(p).any(|e| e == from.address));
    Ok(match (contact, partner) {
        (None, None) => None,
        (contact, partner) => Some(PartnerMatch {
            matched_by: if partner.is_some() {
                MatchedBy::PartnerEmail
            } else {
                MatchedBy::ContactEmail
            },
            reason: format!(
                "the sender's address {} is {}",
                from.address,
                match (&contact, &partner) {
                    (Some(_), Some(_)) => "a CRM contact's and a Metakocka partner contact's",
                    (Some(_), None) => "a CRM contact's",
                    _ => "a Metakocka partner contact's",
                }
            ),
            confidence: 0.95,
            name: (partner.as_ref().and_then(|p| p.customer.clone()))
                .or_else(|| contact.as_ref().map(|c| c.name.clone())),
            email: Some(from.address.clone()),
            contact_id: contact.map(|c| c.id),
            partner_mk_id: partner.and_then(|p| p.mk_id),
        }),
    })
}

async fn by_domain(
    enricher: &mut Enricher<'_>,
    from: &Mailbox,
) -> Result<Option<PartnerMatch>, StoreError> {
    let domain = from.domain();
    if domain.is_empty() || FREE_MAIL.contains(&domain) {
        return Ok(None);
    }
    let at_domain = format!("@{domain}");
    let contact = contacts_matching(enricher, &at_domain)
        .await?
        .into_iter()
        .find(|c| {
            c.email
                .as_ref()
                .is_some_and(|e| e.as_str().ends_with(&at_domain))
        });
    if let Some(contact) = contact {
        return Ok(Some(PartnerMatch {
            reason: format!(
                "the CRM contact {} writes from the same domain {domain}",
                contact.name
            ),
            matched_by: MatchedBy::ContactDomain,
            confidence: 0.6,
            name: Some(contact.name),
            email: contact.email.map(|e| e.as_str().to_owned()),
            contact_id: Some(contact.id),
            partner_mk_id: None,
        }));
    }
    // Metakocka cannot search by domain; a company's domain usually is its name
    // (`gorski-svet.si` for "Gorski svet d.o.o."), so search by that name.
    let label = domain
        .split('.')
        .next()
        .unwrap_or_default()
        .replace('-', " ");
    if label.len() < 3 {
        return Ok(None);
    }
    let query = PartnerQuery {
        partner_name: Some(label.clone()),
        ..PartnerQuery::default()
    };
    let partner = partners(enricher, query, "the sender's domain")
        .await
        .into_iter()
        .find(|p| {
            partner_emails(p).any(|e| e.ends_with(&at_domain))
                || p.customer.as_deref().is_some_and(|name| {
                    let name = fold(name);
                    name.starts_with(&format!("{label} ")) || name == label
                })
        });
    Ok(partner.map(|p| PartnerMatch {
        reason: format!(
            "the sender's domain {domain} names the Metakocka partner {}",
            p.customer.as_deref().unwrap_or("?")
        ),
        matched_by: MatchedBy::PartnerDomain,
        confidence: 0.55,
        name: p.customer.clone(),
        email: None,
        contact_id: None,
        partner_mk_id: p.mk_id,
    }))
}

async fn by_name(
    enricher: &mut Enricher<'_>,
    from: &Mailbox,
) -> Result<Option<PartnerMatch>, StoreError> {
    let Some(name) = from
        .name
        .as_deref()
        .filter(|n| n.split_whitespace().count() >= 2)
    else {
        return Ok(None);
    };
    let wanted = fold(name);
    let contact = contacts_matching(enricher, name)
        .await?
        .into_iter()
        .find(|c| fold(&c.name) == wanted);
    if let Some(contact) = contact {
        return Ok(Some(PartnerMatch {
            reason: format!("the sender's name {name} is a CRM contact's"),
            matched_by: MatchedBy::ContactName,
            confidence: 0.6,
            name: Some(contact.name),
            email: contact.email.map(|e| e.as_str().to_owned()),
            contact_id: Some(contact.id),
            partner_mk_id: None,
        }));
    }
    let query = PartnerQuery {
        partner_name: Some(name.to_owned()),
        ..PartnerQuery::default()
    };
    let partner = partners(enricher, query, "the sender's name")
        .await
        .into_iter()
        .find(|p| p.customer.as_deref().is_some_and(|c| fold(c) == wanted));
    Ok(partner.map(|p| PartnerMatch {
        reason: format!("the sender's name {name} is a Metakocka partner's"),
        matched_by: MatchedBy::PartnerName,
        confidence: 0.6,
        name: p.customer.clone(),
        email: None,
        contact_id: None,
        partner_mk_id: p.mk_id,
    }))
}

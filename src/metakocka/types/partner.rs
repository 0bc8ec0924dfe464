//! Partners (customers and suppliers): `get_partner`, `add_partner`, `update_partner`
//! (<https://github.com/metakocka/metakocka_api_base/blob/master/docs/get_partner.md>,
//! `add_partner.md`, `update_partner.md`). These calls answer without `opr_code` when they
//! succeed.

use super::OtherFields;
use super::wire::{self, one_or_many};
use serde::{Deserialize, Serialize};

/// A partner as `get_partner` lists it and `add_partner`/`update_partner` take it (the
/// single `partner_contact`/`partner_delivery_address` on add, the lists on update).
/// Documents carry the same shape as their `partner` and `receiver`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_code: Option<String>,
    /// The partner's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub business_entity: Option<bool>,
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub taxpayer: Option<bool>,
    /// Metakocka's spelling ("foreign country").
    #[serde(default, with = "wire::flag", skip_serializing_if = "Option::is_none")]
    pub foreign_county: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_contact: Option<PartnerContact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_delivery_address: Option<DeliveryAddress>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub partner_contact_list: Vec<PartnerContact>,
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub partner_delivery_address_list: Vec<DeliveryAddress>,
    #[serde(flatten)]
    pub other: OtherFields,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PartnerContact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    /// The address the contact belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_address_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsm: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mk_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(flatten)]
    pub other: OtherFields,
}

/// What `get_partner` searches by (the documented fields; at least one).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PartnerQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_tax_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_phone_number: Option<String>,
}

/// The answer of `get_partner` and `update_partner`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct PartnerList {
    #[serde(default, deserialize_with = "wire::count::deserialize")]
    pub partner_list_count: Option<u64>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub partner_list: Vec<Partner>,
}

/// The answer of `add_partner`: the new partner's id, its contact's and its addresses'.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PartnerAdded {
    pub mk_id: String,
    #[serde(default)]
    pub mk_contact_id: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub mk_address_id_list: Vec<PartnerAddressId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PartnerAddressId {
    pub mk_id: String,
    #[serde(default)]
    pub street: Option<String>,
}

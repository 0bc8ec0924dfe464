//! Metakocka credentials, kept per company and owner.

use super::company;
use crate::store_subjects::{now, subjects};
use chrono::Duration;
use crm_mind::domain::{CompanyId, Sealed, UserId};
use crm_mind::metakocka::credentials::{CredentialOwner, StoredCredentials};

fn credentials(company: &CompanyId, owner: CredentialOwner, key: &str) -> StoredCredentials {
    StoredCredentials {
        company_id: company.clone(),
        owner,
        mk_company_id: "4521".into(),
        secret_key: Sealed::from_stored(format!("v1:{key}")),
        created_by: UserId::from("admin-1"),
        created_at: now(),
        updated_by: UserId::from("admin-1"),
        updated_at: now(),
    }
}

#[tokio::test]
async fn metakocka_credentials_are_kept_per_company_and_owner() {
    for s in subjects().await {
        let a = company(&s.store, "A").await;
        let b = company(&s.store, "B").await;
        let ana = CredentialOwner::User(UserId::from("ana"));
        let org = credentials(&a.id, CredentialOwner::Organization, "org-key");
        s.store.put_metakocka_credentials(&org).await.unwrap();
        s.store
            .put_metakocka_credentials(&credentials(&a.id, ana.clone(), "ana-key"))
            .await
            .unwrap();
        let read = |company: CompanyId, owner: CredentialOwner| {
            let store = s.store.clone();
            async move {
                store
                    .get_metakocka_credentials(&company, &owner)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            read(a.id.clone(), CredentialOwner::Organization).await,
            Some(org.clone()),
            "{}",
            s.name
        );
        assert_eq!(
            read(a.id.clone(), ana.clone())
                .await
                .unwrap()
                .secret_key
                .as_stored(),
            "v1:ana-key",
            "{}",
            s.name
        );
        assert_eq!(
            read(b.id.clone(), CredentialOwner::Organization).await,
            None,
            "{}: B sees none",
            s.name
        );

        // A replacement changes the key and the update stamp, not who created them.
        let mut replacement = credentials(&a.id, CredentialOwner::Organization, "new-key");
        replacement.created_by = UserId::from("someone-else");
        replacement.updated_by = UserId::from("admin-2");
        replacement.updated_at = now() + Duration::seconds(5);
        s.store
            .put_metakocka_credentials(&replacement)
            .await
            .unwrap();
        let stored = read(a.id.clone(), CredentialOwner::Organization)
            .await
            .unwrap();
        assert_eq!(stored.secret_key.as_stored(), "v1:new-key", "{}", s.name);
        assert_eq!(stored.updated_by.as_str(), "admin-2", "{}", s.name);
        assert_eq!(stored.updated_at, replacement.updated_at, "{}", s.name);
        assert_eq!(
            stored.created_by.as_str(),
            "admin-1",
            "{}: creator kept",
            s.name
        );

        assert!(
            !s.store
                .delete_metakocka_credentials(&b.id, &ana)
                .await
                .unwrap(),
            "{}",
            s.name
        );
        assert!(
            s.store
                .delete_metakocka_credentials(&a.id, &ana)
                .await
                .unwrap(),
            "{}",
            s.name
        );
        assert_eq!(read(a.id.clone(), ana.clone()).await, None, "{}", s.name);
        assert!(
            read(a.id.clone(), CredentialOwner::Organization)
                .await
                .is_some(),
            "{}",
            s.name
        );
    }
}

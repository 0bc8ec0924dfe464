//! The layering of the settings, their redaction in `Debug`, and the derived settings.

use super::*;
use figment::Jail;
use secrecy::ExposeSecret;

#[test]
fn environment_overrides_the_file_which_overrides_defaults() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "crm-mind.toml",
            "bind = \"127.0.0.1:9000\"\nmongodb_database = \"from_file\"",
        )?;
        jail.set_env("CRM_MIND_MONGODB_DATABASE", "from_env");
        jail.set_env("CRM_MIND_FACEBOOK_VERIFY_TOKEN", "12345");
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(settings.bind.port(), 9000);
        assert_eq!(settings.mongodb_database, "from_env");
        assert_eq!(
            settings
                .facebook_verify_token
                .as_ref()
                .unwrap()
                .expose_secret(),
            "12345"
        );
        assert_eq!(settings.store_kind(), StoreKind::Sqlite);
        assert_eq!(
            settings.graph_api_base_url,
            "https://graph.facebook.com/v21.0"
        );
        Ok(())
    });
}

#[test]
fn secrets_do_not_show_in_debug() {
    Jail::expect_with(|jail| {
        jail.set_env("CRM_MIND_FACEBOOK_APP_SECRET", "very-secret-value");
        jail.set_env("CRM_MIND_MONGODB_URI", "mongodb://user:hunter2@db/");
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("very-secret-value") && !debug.contains("hunter2"),
            "{debug}"
        );
        assert_eq!(settings.store_kind(), StoreKind::Mongo);
        Ok(())
    });
}

#[test]
fn metakocka_error_alerts_need_a_webhook_url() {
    Jail::expect_with(|jail| {
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        assert!(settings.metakocka_error_notify().is_none());
        jail.set_env(
            "CRM_MIND_METAKOCKA_ERROR_WEBHOOK_URL",
            "https://ops.example/hook",
        );
        jail.set_env("CRM_MIND_METAKOCKA_ERROR_THRESHOLD", "0");
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        let notify = settings.metakocka_error_notify().unwrap();
        assert_eq!(notify.webhook_url, "https://ops.example/hook");
        assert_eq!(notify.threshold, 1, "at least one error makes a burst");
        assert_eq!(notify.window_minutes, 15);
        Ok(())
    });
}

#[test]
fn the_inventory_refresh_is_hourly_unless_set_and_zero_turns_it_off() {
    Jail::expect_with(|jail| {
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(settings.metakocka_inventory_refresh_minutes, 60);
        jail.set_env("CRM_MIND_METAKOCKA_INVENTORY_REFRESH_MINUTES", "0");
        let settings = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(settings.metakocka_inventory_refresh_minutes, 0);
        Ok(())
    });
}

#[test]
fn a_missing_explicit_config_file_is_an_error() {
    assert!(Settings::load(Some(Path::new("/nonexistent/crm-mind.toml"))).is_err());
}

//! Regular expressions (ECMA-262 and Python `re` alike) that schemas built in code put on
//! texts the service checks beyond their type. (Derived schemas spell theirs in the
//! attribute, which takes only a literal.)

/// A header name: an HTTP token.
pub const HEADER_NAME: &str = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/// A header value: no control character but the tab (bytes above ASCII are `obs-text`).
pub const HEADER_VALUE: &str = r"^[^\x00-\x08\x0a-\x1f\x7f]*$";

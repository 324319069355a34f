//! The HTML body of a message, made safe to show: no scripts, no event handlers, no
//! styles and nothing that loads from the network.
//!
//! [`sanitize`] keeps text and structure and counts what it removed, so the app can show
//! how many remote images were blocked. Showing the result (and the Content Security
//! Policy around it) is left to the desktop app.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use mail_parser::{MessageParser, PartType};
use serde::{Deserialize, Serialize};

/// Sanitized HTML with counts of what was taken out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanitizedHtml {
    /// The HTML fragment, safe to insert into a page.
    pub html: String,
    /// Images whose `src` was neither a raster `data:` URL nor a message part: network
    /// addresses (`https:`, `//host/`), relative paths and SVG data.
    pub remote_images_blocked: usize,
    /// Images that referred to a part of the message (`cid:`), which are not shown.
    pub inline_images_omitted: usize,
    /// Links whose target was removed, so that a click cannot leave the app.
    pub links_disabled: usize,
}

/// Sanitizes `html` from a message for display.
///
/// Removes `script` and `style` elements with their content, every attribute outside
/// ammonia's allow list (event handlers such as `onerror`, `style`, `srcset`), every
/// image source other than a raster `data:` URL, and every link target.
pub fn sanitize(html: &str) -> SanitizedHtml {
    let remote = Arc::new(AtomicUsize::new(0));
    let inline = Arc::new(AtomicUsize::new(0));
    let links = Arc::new(AtomicUsize::new(0));

    let counters = (remote.clone(), inline.clone(), links.clone());
    let mut builder = ammonia::Builder::default();
    // The allow list takes `data:` and `cid:` besides ammonia's default schemes, so the
    // filter below receives and counts every image source. It keeps only raster `data:` images.
    builder
        .add_url_schemes(HashSet::from(["data", "cid"]))
        // Relative and protocol-relative URLs also reach the filter, which drops them.
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(element, attribute, value, &counters)
        });
    let html = builder.clean(html).to_string();

    SanitizedHtml {
        html,
        remote_images_blocked: remote.load(Ordering::Relaxed),
        inline_images_omitted: inline.load(Ordering::Relaxed),
        links_disabled: links.load(Ordering::Relaxed),
    }
}

type Counters = (Arc<AtomicUsize>, Arc<AtomicUsize>, Arc<AtomicUsize>);

fn filter_attribute<'u>(
    element: &str,
    attribute: &str,
    value: &'u str,
    (remote, inline, links): &Counters,
) -> Option<Cow<'u, str>> {
    match (element, attribute) {
        ("img", "src") => {
            let scheme = value.split(':').next().unwrap_or("").to_ascii_lowercase();
            match scheme.as_str() {
                "data" if is_image_data_url(value) => Some(Cow::Borrowed(value)),
                "cid" => {
                    inline.fetch_add(1, Ordering::Relaxed);
                    None
                }
                _ => {
                    remote.fetch_add(1, Ordering::Relaxed);
                    None
                }
            }
        }
        ("a", "href") => {
            links.fetch_add(1, Ordering::Relaxed);
            None
        }
        // Other URL attributes (`cite`, `longdesc`) load nothing but could be followed.
        (_, "cite" | "longdesc" | "href" | "src") => None,
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Returns whether `value` is a `data:` URL of a raster image. SVG is left out because
/// an SVG image can itself refer to remote resources.
fn is_image_data_url(value: &str) -> bool {
    let lower = value.get(..20).unwrap_or(value).to_ascii_lowercase();
    [
        "data:image/png",
        "data:image/jpeg",
        "data:image/gif",
        "data:image/webp",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// Returns the decoded text of the first `text/html` body part of the message in `bytes`,
/// or `None` when the message has no HTML body.
pub fn html_body(bytes: &[u8]) -> Option<String> {
    let bytes = super::strip_envelope_line(bytes);
    let message = MessageParser::default().parse(bytes)?;
    message
        .html_body
        .iter()
        .filter_map(|&part_id| message.part(part_id))
        .find_map(|part| match &part.body {
            PartType::Html(html) => Some(html.to_string()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_are_removed() {
        let out = sanitize(
            r#"<p onclick="steal()">Hello</p><script>alert(1)</script><img src=x onerror="alert(2)">"#,
        );

        assert!(!out.html.contains("script"), "{}", out.html);
        assert!(!out.html.contains("alert"), "{}", out.html);
        assert!(!out.html.contains("onclick"), "{}", out.html);
        assert!(!out.html.contains("onerror"), "{}", out.html);
        assert!(out.html.contains("Hello"), "{}", out.html);
    }

    #[test]
    fn remote_images_are_blocked_and_counted() {
        let out = sanitize(
            r#"<img src="https://tracker.example/pixel.gif" alt="pixel"><img src="http://cdn.example/logo.png"><img src="//cdn.example/x.png">"#,
        );

        assert_eq!(out.remote_images_blocked, 3, "{}", out.html);
        assert!(!out.html.contains("tracker.example"), "{}", out.html);
        assert!(!out.html.contains("cdn.example"), "{}", out.html);
        assert!(out.html.contains(r#"alt="pixel""#), "{}", out.html);
    }

    #[test]
    fn data_images_are_kept() {
        let out = sanitize(r#"<img src="data:image/png;base64,iVBORw0KGgo=" alt="chart">"#);

        assert!(out.html.contains("data:image/png;base64"), "{}", out.html);
        assert_eq!(out.remote_images_blocked, 0);
    }

    #[test]
    fn svg_data_images_are_blocked() {
        let out = sanitize(r#"<img src="data:image/svg+xml;base64,PHN2Zz4=">"#);

        assert!(!out.html.contains("svg"), "{}", out.html);
        assert_eq!(out.remote_images_blocked, 1);
    }

    #[test]
    fn inline_part_images_are_counted() {
        let out = sanitize(r#"<img src="cid:logo@sponsor.example">"#);

        assert_eq!(out.inline_images_omitted, 1);
        assert_eq!(out.remote_images_blocked, 0);
        assert!(!out.html.contains("cid:"), "{}", out.html);
    }

    #[test]
    fn links_keep_text_but_lose_target() {
        let out = sanitize(r#"<a href="https://phish.example/login">Sign in</a>"#);

        assert_eq!(out.links_disabled, 1);
        assert!(out.html.contains("Sign in"), "{}", out.html);
        assert!(!out.html.contains("phish.example"), "{}", out.html);
    }

    #[test]
    fn styles_and_stylesheets_are_removed() {
        let out = sanitize(
            r#"<style>body{background:url(https://x.example/bg.png)}</style><link rel="stylesheet" href="https://x.example/s.css"><p style="background:url(https://x.example/p.png)">Text</p>"#,
        );

        assert!(!out.html.contains("x.example"), "{}", out.html);
        assert!(!out.html.contains("style"), "{}", out.html);
        assert!(out.html.contains("Text"), "{}", out.html);
    }

    #[test]
    fn frames_forms_and_objects_are_removed() {
        let out = sanitize(
            r#"<iframe src="https://x.example/"></iframe><form action="https://x.example/"><input name=q></form><object data="https://x.example/o"></object><embed src="https://x.example/e">"#,
        );

        assert!(!out.html.contains("x.example"), "{}", out.html);
        for tag in ["iframe", "form", "input", "object", "embed"] {
            assert!(!out.html.contains(tag), "{tag} left in {}", out.html);
        }
    }

    #[test]
    fn html_body_is_found_in_multipart_alternative() {
        let raw = b"From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n\
--b\r\nContent-Type: text/html\r\n\r\n<p>rich <b>text</b></p>\r\n--b--\r\n";

        let html = html_body(raw).expect("an HTML part");

        assert!(html.contains("<b>text</b>"), "{html}");
    }

    #[test]
    fn plain_message_has_no_html_body() {
        let raw = b"From: a@example.com\r\nSubject: s\r\n\r\nplain text\r\n";

        assert_eq!(html_body(raw), None);
    }
}

//! The canned-response template engine: MiniJinja with no loader and no host functions, a
//! fuel budget per render and a cap on the output, so a response written by one admin cannot
//! read files, reach the network or stall the server. Unknown variables render empty, because
//! a contact without an email must not block an agent's reply.
//!
//! Variables: `contact.first_name`, `contact.last_name`, `contact.name`, `contact.email`,
//! `agent.name`, `agent.first_name`, `conversation.number`, `inbox.name`, `org.name`.

use minijinja::{Environment, ErrorKind, UndefinedBehavior, context};
use std::sync::LazyLock;

/// Work one render may do: about this many instructions, or 64 times as many bytes of data.
/// A 20,000-character body with a few dozen variables uses a few hundred.
const FUEL: u64 = 20_000;

/// The longest rendered text (the longest reply the composer sends).
pub const MAX_RENDERED_BYTES: usize = 262_144;

/// The facts a canned response is rendered with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderFacts {
    /// The contact's given name.
    pub contact_first_name: String,
    /// The contact's family name.
    pub contact_last_name: String,
    /// The contact's display name.
    pub contact_name: String,
    /// The contact's primary email.
    pub contact_email: String,
    /// The agent's display name.
    pub agent_name: String,
    /// The conversation's number.
    pub conversation_number: i64,
    /// The inbox's name.
    pub inbox_name: String,
    /// The organization's name.
    pub org_name: String,
}

impl RenderFacts {
    /// Placeholder facts for checking a template before it is saved.
    fn sample() -> Self {
        Self {
            contact_first_name: "Ada".into(),
            contact_last_name: "Lovelace".into(),
            contact_name: "Ada Lovelace".into(),
            contact_email: "ada@example.org".into(),
            agent_name: "Grace Hopper".into(),
            conversation_number: 42,
            inbox_name: "Support".into(),
            org_name: "Example".into(),
        }
    }
}

/// Why a template was refused or could not render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A syntax or evaluation error at a known line.
    #[error("line {line}: {message}")]
    AtLine {
        /// 1-based line of the body.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An error the engine could not place on a line.
    #[error("{0}")]
    General(String),
    /// The template does more work than one render may (a loop too long).
    #[error("the template does too much work; shorten its loops")]
    OutOfFuel,
    /// The output is longer than a reply may be.
    #[error("the rendered text is longer than 256 KiB")]
    TooLong,
}

/// The one engine: the built-in filters and tests only. No loader is set and the
/// `multi_template` feature is off, so `include`, `import` and `extends` do not exist.
static ENGINE: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(32);
    env
});

fn refusal(e: &minijinja::Error) -> TemplateError {
    if e.kind() == ErrorKind::OutOfFuel {
        return TemplateError::OutOfFuel;
    }
    let message = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    match e.line() {
        Some(line) => TemplateError::AtLine { line, message },
        None => TemplateError::General(message),
    }
}

/// The first word of a name ("Grace Hopper" → "Grace").
fn first_word(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or_default()
}

/// Renders `body` with `facts`.
pub fn render(body: &str, facts: &RenderFacts) -> Result<String, TemplateError> {
    let ctx = context! {
        contact => context! {
            first_name => facts.contact_first_name.as_str(),
            last_name => facts.contact_last_name.as_str(),
            name => facts.contact_name.as_str(),
            email => facts.contact_email.as_str(),
        },
        agent => context! {
            name => facts.agent_name.as_str(),
            first_name => first_word(&facts.agent_name),
        },
        conversation => context! { number => facts.conversation_number },
        inbox => context! { name => facts.inbox_name.as_str() },
        org => context! { name => facts.org_name.as_str() },
    };
    let out = ENGINE.render_str(body, ctx).map_err(|e| refusal(&e))?;
    if out.len() > MAX_RENDERED_BYTES {
        return Err(TemplateError::TooLong);
    }
    Ok(out)
}

/// Checks a template before it is saved: it must compile and render with sample facts (an
/// unknown filter, for one, only shows when rendering).
pub fn check(body: &str) -> Result<(), TemplateError> {
    render(body, &RenderFacts::sample()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RenderFacts {
        RenderFacts {
            contact_first_name: "Zoë".into(),
            contact_last_name: "Müller".into(),
            contact_name: "Zoë Müller".into(),
            contact_email: "zoe@example.org".into(),
            agent_name: "Ben  Okafor".into(),
            conversation_number: 7,
            inbox_name: "Website".into(),
            org_name: "Acme & Co".into(),
        }
    }

    #[test]
    fn variables_render_verbatim_and_unknown_ones_render_empty() {
        let out = render(
            "Hi {{ contact.first_name }} {{ contact.last_name }} <{{ contact.email }}>,\n\
             {{ agent.first_name }} ({{ agent.name }}) on #{{ conversation.number }} in \
             {{ inbox.name }} for {{ org.name }}.{{ nope }}{{ contact.phone }}{{ a.b.c }}",
            &facts(),
        )
        .unwrap();
        assert_eq!(
            out,
            "Hi Zoë Müller <zoe@example.org>,\nBen (Ben  Okafor) on #7 in Website for Acme & Co."
        );
        let out = render(
            "{{ contact.nickname | default(contact.first_name) | upper }}",
            &facts(),
        )
        .unwrap();
        assert_eq!(out, "ZOË");
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let err = check("Hello\n\n{{ contact.name ").unwrap_err();
        match err {
            TemplateError::AtLine { line, message } => {
                assert_eq!(line, 3);
                assert!(message.starts_with("syntax error"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let err = check("ok\n{{ contact.name | nosuchfilter }}").unwrap_err();
        assert!(
            err.to_string().starts_with("line 2: unknown filter"),
            "{err}"
        );
        assert!(check("Hi {{ contact.first_name | title }}!").is_ok());
    }

    #[test]
    fn nothing_reaches_outside_the_template() {
        for body in [
            "{% include 'etc/passwd' %}",
            "{% extends 'base.html' %}",
            "{% import 'x' as y %}",
            "{% macro m() %}{% endmacro %}",
        ] {
            assert!(check(body).is_err(), "{body} is refused");
        }
    }

    #[test]
    fn runaway_templates_run_out_of_fuel_or_size() {
        let err = check("{% for i in range(100000) %}{{ i }}{% endfor %}").unwrap_err();
        assert_eq!(err, TemplateError::OutOfFuel);
        let err = check("{% for i in range(50) %}{% for j in range(50) %}{% for k in range(50) %}x{% endfor %}{% endfor %}{% endfor %}").unwrap_err();
        assert_eq!(err, TemplateError::OutOfFuel);
        let err = check("{{ 'x' * 100000000 }}").unwrap_err();
        assert!(
            matches!(err, TemplateError::OutOfFuel | TemplateError::TooLong),
            "{err:?}"
        );
    }
}

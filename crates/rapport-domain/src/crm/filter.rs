//! The filter language users type and the list filter builder generates:
//!
//! ```text
//! lifecycle_stage = customer AND owner = me AND company.industry = "Software"
//!   AND (custom.score >= 50 OR tag = vip) AND deals.open_amount > 10000
//! ```
//!
//! Conditions are `field op value` with `=`, `!=`, `>`, `>=`, `<`, `<=`, `contains`,
//! `starts_with`, `in (a, b)`, `is empty` and `is not empty`, combined with `AND`, `OR`, `NOT`
//! and parentheses (`AND` binds tighter than `OR`). Values are bare words (`customer`,
//! `2026-01-31`, `-3.5`, `ada@example.com`) or double-quoted strings (`\"` and `\\` escape).
//! Keywords are case-insensitive.
//!
//! This module only parses: which fields exist and what their values mean is decided by the
//! store's field registry, which reports errors with the column kept in each [`Condition`].
//! Size limits keep a hostile expression from costing the database anything.

use std::fmt;

/// Longest accepted expression, in characters.
pub const MAX_LEN: usize = 4000;
/// Deepest nesting of parentheses and `NOT`.
pub const MAX_DEPTH: usize = 8;
/// Most conditions in one expression.
pub const MAX_CONDITIONS: usize = 40;
/// Most values in one `in (…)` list.
pub const MAX_LIST: usize = 100;
/// Longest single value, in characters.
pub const MAX_VALUE: usize = 500;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `contains` (case-insensitive substring)
    Contains,
    /// `starts_with` (case-insensitive prefix)
    StartsWith,
    /// `in (a, b, …)`
    In,
    /// `is empty`
    IsEmpty,
    /// `is not empty`
    IsNotEmpty,
}

impl Op {
    /// Every operator, in the order the filter builder offers them.
    pub const ALL: [Op; 11] = [
        Self::Eq,
        Self::Ne,
        Self::Gt,
        Self::Ge,
        Self::Lt,
        Self::Le,
        Self::Contains,
        Self::StartsWith,
        Self::In,
        Self::IsEmpty,
        Self::IsNotEmpty,
    ];

    /// How the operator is written.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Contains => "contains",
            Self::StartsWith => "starts_with",
            Self::In => "in",
            Self::IsEmpty => "is empty",
            Self::IsNotEmpty => "is not empty",
        }
    }

    /// Whether it orders values (`>`, `>=`, `<`, `<=`).
    pub fn is_ordering(self) -> bool {
        matches!(self, Self::Gt | Self::Ge | Self::Lt | Self::Le)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The right-hand side of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// `is empty` / `is not empty` take none.
    None,
    /// One value.
    One(String),
    /// The values of `in (…)`.
    List(Vec<String>),
}

/// One `field op value` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The field path as written (`lifecycle_stage`, `company.industry`, `custom.score`).
    pub field: String,
    /// The operator.
    pub op: Op,
    /// The value(s).
    pub value: Operand,
    /// 1-based column of the field name, for error messages.
    pub column: usize,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every part holds.
    And(Vec<Filter>),
    /// Any part holds.
    Or(Vec<Filter>),
    /// The part does not hold.
    Not(Box<Filter>),
    /// One condition.
    Cond(Condition),
}

/// Why an expression was refused; the message says where (1-based column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    /// The readable message.
    pub message: String,
}

impl FilterError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl Filter {
    /// Parses an expression. An empty (or whitespace) text is `Ok(None)`: no filter.
    pub fn parse(text: &str) -> Result<Option<Filter>, FilterError> {
        if text.chars().count() > MAX_LEN {
            return Err(FilterError::new(format!(
                "the filter is too long (at most {MAX_LEN} characters)"
            )));
        }
        let tokens = lex(text)?;
        if tokens.is_empty() {
            return Ok(None);
        }
        let mut p = Parser {
            tokens,
            pos: 0,
            conditions: 0,
            end_col: text.chars().count() + 1,
        };
        let filter = p.or(0)?;
        if let Some(t) = p.tokens.get(p.pos) {
            let msg = match t.tok {
                Tok::RParen => "unexpected `)` (no matching `(`)".to_owned(),
                _ => format!("expected AND or OR before {}", t.tok.describe()),
            };
            return Err(FilterError::new(format!("{msg} at column {}", t.col)));
        }
        Ok(Some(filter))
    }

    /// Every condition, depth first.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a Condition>) {
        match self {
            Self::And(parts) | Self::Or(parts) => parts.iter().for_each(|p| p.walk(out)),
            Self::Not(inner) => inner.walk(out),
            Self::Cond(c) => out.push(c),
        }
    }
}

/// Writes a value so it parses back to itself: bare when it is one plain word, quoted otherwise.
pub fn quote(value: &str) -> String {
    let bare =
        !value.is_empty() && value.chars().all(is_word_char) && !is_keyword(value) && value != "-";
    if bare {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl fmt::Display for Filter {
    /// The canonical text: parses back to an equivalent filter (`OR` groups inside `AND` and
    /// groups under `NOT` are parenthesized).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::And(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    match p {
                        Filter::Or(_) => write!(f, "({p})")?,
                        _ => write!(f, "{p}")?,
                    }
                }
                Ok(())
            }
            Self::Or(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    write!(f, "{p}")?;
                }
                Ok(())
            }
            Self::Not(inner) => match inner.as_ref() {
                Filter::Cond(_) | Filter::Not(_) => write!(f, "NOT {inner}"),
                _ => write!(f, "NOT ({inner})"),
            },
            Self::Cond(c) => {
                write!(f, "{} {}", c.field, c.op)?;
                match &c.value {
                    Operand::None => Ok(()),
                    Operand::One(v) => write!(f, " {}", quote(v)),
                    Operand::List(vs) => {
                        let items: Vec<String> = vs.iter().map(|v| quote(v)).collect();
                        write!(f, " ({})", items.join(", "))
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(&'static str),
    LParen,
    RParen,
    Comma,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
        }
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

struct Token {
    tok: Tok,
    col: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@' | '+' | ':' | '/')
}

fn is_keyword(w: &str) -> bool {
    [
        "and",
        "or",
        "not",
        "in",
        "is",
        "empty",
        "contains",
        "starts_with",
    ]
    .iter()
    .any(|k| w.eq_ignore_ascii_case(k))
}

fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            '=' => (Tok::Sym("="), 1),
            '!' if chars.get(i + 1) == Some(&'=') => (Tok::Sym("!="), 2),
            '>' if chars.get(i + 1) == Some(&'=') => (Tok::Sym(">="), 2),
            '<' if chars.get(i + 1) == Some(&'=') => (Tok::Sym("<="), 2),
            '<' if chars.get(i + 1) == Some(&'>') => (Tok::Sym("!="), 2),
            '>' => (Tok::Sym(">"), 1),
            '<' => (Tok::Sym("<"), 1),
            '"' | '\'' => {
                let quote = c;
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(FilterError::new(format!(
                                "unclosed string starting at column {col}"
                            )));
                        }
                        Some('\\') if matches!(chars.get(j + 1), Some(&n) if n == quote || n == '\\') =>
                        {
                            s.push(chars[j + 1]);
                            j += 2;
                        }
                        Some(&q) if q == quote => break,
                        Some(&ch) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                (Tok::Str(s), j + 1 - i)
            }
            c if is_word_char(c) => {
                let mut j = i;
                while j < chars.len() && is_word_char(chars[j]) {
                    j += 1;
                }
                (Tok::Word(chars[i..j].iter().collect()), j - i)
            }
            other => {
                return Err(FilterError::new(format!(
                    "unexpected character `{other}` at column {col}"
                )));
            }
        };
        out.push(Token { tok, col });
        i += len;
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    conditions: usize,
    end_col: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn col(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end_col, |t| t.col)
    }

    fn at(&self, what: &str) -> String {
        match self.tokens.get(self.pos) {
            Some(t) => format!("{what}, found {} at column {}", t.tok.describe(), t.col),
            None => format!("{what} at column {} (end of the filter)", self.end_col),
        }
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut parts = vec![self.and(depth)?];
        while self.peek().is_some_and(|t| t.keyword("or")) {
            self.pos += 1;
            parts.push(self.and(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut parts = vec![self.unary(depth)?];
        while self.peek().is_some_and(|t| t.keyword("and")) {
            self.pos += 1;
            parts.push(self.unary(depth)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(FilterError::new(format!(
                "the filter is nested too deeply (at most {MAX_DEPTH} levels) at column {}",
                self.col()
            )));
        }
        match self.peek() {
            Some(t) if t.keyword("not") => {
                self.pos += 1;
                Ok(Filter::Not(Box::new(self.unary(depth + 1)?)))
            }
            Some(Tok::LParen) => {
                let open = self.col();
                self.pos += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(FilterError::new(
                        self.at(&format!("expected `)` to close the `(` at column {open}")),
                    ));
                }
                self.pos += 1;
                Ok(inner)
            }
            _ => self.condition(),
        }
    }

    fn condition(&mut self) -> Result<Filter, FilterError> {
        let col = self.col();
        let field = match self.peek() {
            Some(Tok::Word(w)) if !is_keyword(w) && is_field_name(w) => w.clone(),
            _ => return Err(FilterError::new(self.at("expected a field name"))),
        };
        self.pos += 1;
        let op = match self.peek() {
            Some(Tok::Sym(s)) => match *s {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                ">" => Op::Gt,
                ">=" => Op::Ge,
                "<" => Op::Lt,
                _ => Op::Le,
            },
            Some(t) if t.keyword("contains") => Op::Contains,
            Some(t) if t.keyword("starts_with") => Op::StartsWith,
            Some(t) if t.keyword("in") => Op::In,
            Some(t) if t.keyword("is") => {
                self.pos += 1;
                let negated = self.peek().is_some_and(|t| t.keyword("not"));
                if negated {
                    self.pos += 1;
                }
                if !self.peek().is_some_and(|t| t.keyword("empty")) {
                    let after = if negated { "is not" } else { "is" };
                    return Err(FilterError::new(
                        self.at(&format!("expected `empty` after `{after}`")),
                    ));
                }
                self.pos -= 1;
                if negated {
                    self.pos -= 1;
                    Op::IsNotEmpty
                } else {
                    Op::IsEmpty
                }
            }
            _ => {
                return Err(FilterError::new(self.at(&format!(
                    "expected an operator (=, !=, >, >=, <, <=, contains, starts_with, in, is empty) after `{field}`"
                ))));
            }
        };
        // Skip the operator's tokens.
        self.pos += match op {
            Op::IsEmpty => 2,
            Op::IsNotEmpty => 3,
            _ => 1,
        };
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(FilterError::new(format!(
                "the filter has too many conditions (at most {MAX_CONDITIONS})"
            )));
        }
        let value = match op {
            Op::IsEmpty | Op::IsNotEmpty => Operand::None,
            Op::In => Operand::List(self.list()?),
            _ => Operand::One(self.value(op.as_str())?),
        };
        Ok(Filter::Cond(Condition {
            field,
            op,
            value,
            column: col,
        }))
    }

    fn value(&mut self, after: &str) -> Result<String, FilterError> {
        let col = self.col();
        let v = match self.peek() {
            Some(Tok::Str(s)) => s.clone(),
            Some(Tok::Word(w)) if !is_keyword(w) => w.clone(),
            _ => {
                return Err(FilterError::new(
                    self.at(&format!("expected a value after `{after}`")),
                ));
            }
        };
        if v.chars().count() > MAX_VALUE {
            return Err(FilterError::new(format!(
                "the value at column {col} is too long (at most {MAX_VALUE} characters)"
            )));
        }
        self.pos += 1;
        Ok(v)
    }

    fn list(&mut self) -> Result<Vec<String>, FilterError> {
        if self.peek() != Some(&Tok::LParen) {
            return Err(FilterError::new(self.at("expected `(` after `in`")));
        }
        self.pos += 1;
        let mut items = vec![self.value("(")?];
        loop {
            match self.peek() {
                Some(Tok::Comma) => {
                    self.pos += 1;
                    items.push(self.value(",")?);
                    if items.len() > MAX_LIST {
                        return Err(FilterError::new(format!(
                            "an `in` list may hold at most {MAX_LIST} values (column {})",
                            self.col()
                        )));
                    }
                }
                Some(Tok::RParen) => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => {
                    return Err(FilterError::new(
                        self.at("expected `,` or `)` in the `in` list"),
                    ));
                }
            }
        }
    }
}

/// A field path: dot-separated segments of `[a-z0-9_]` starting with a letter.
fn is_field_name(w: &str) -> bool {
    w.split('.').all(|seg| {
        seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;

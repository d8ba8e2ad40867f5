//! A router that remembers what it routes. Every route outside `/api/v1` is registered through
//! a [`RouteTable`], which adds it to the axum router *and* records its method and path, so
//! the list of routes cannot drift from the routes served. Tests enumerate it
//! ([`crate::ui_route_table`]) to try every page and form, including ones added later (the
//! API's routes come from its OpenAPI document instead).

use crate::state::WebState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

/// Routes being registered, and the (method, path) of each.
pub struct RouteTable {
    router: Router<WebState>,
    entries: Vec<(Method, &'static str)>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self::new()
    }
}

impl RouteTable {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            entries: Vec::new(),
        }
    }

    /// `GET path` (axum answers `HEAD` with it too).
    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, WebState>,
        T: 'static,
    {
        self.route(path, get(handler), &[Method::GET])
    }

    /// `POST path`.
    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, WebState>,
        T: 'static,
    {
        self.route(path, post(handler), &[Method::POST])
    }

    /// A hand-built method router at `path`; `methods` must list every method it answers
    /// (prefer [`RouteTable::get`] and [`RouteTable::post`], which cannot get this wrong).
    /// A path may be registered more than once with different methods.
    pub fn route(
        mut self,
        path: &'static str,
        method_router: MethodRouter<WebState>,
        methods: &[Method],
    ) -> Self {
        self.router = self.router.route(path, method_router);
        self.entries
            .extend(methods.iter().map(|m| (m.clone(), path)));
        self
    }

    /// Adds another table's routes.
    pub fn merge(mut self, other: RouteTable) -> Self {
        self.router = self.router.merge(other.router);
        self.entries.extend(other.entries);
        self
    }

    /// Every (method, path) registered, in registration order.
    pub fn entries(&self) -> &[(Method, &'static str)] {
        &self.entries
    }

    /// The axum router.
    pub fn into_router(self) -> Router<WebState> {
        self.router
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn ok() -> &'static str {
        "ok"
    }

    #[test]
    fn records_every_route_it_adds() {
        let table = RouteTable::new()
            .get("/a", ok)
            .post("/a", ok)
            .merge(RouteTable::new().route(
                "/b/{id}",
                get(ok).post(ok),
                &[Method::GET, Method::POST],
            ));
        assert_eq!(
            table.entries(),
            &[
                (Method::GET, "/a"),
                (Method::POST, "/a"),
                (Method::GET, "/b/{id}"),
                (Method::POST, "/b/{id}"),
            ]
        );
        let _router: Router<WebState> = table.into_router();
    }
}

//! The HTTP front end: a `tiny_http` server answering requests one at a time through a
//! [`Service`]; a request to a hanging endpoint is kept, unanswered, while the server goes on
//! answering the others.

use crate::service::{Answer, Reply, Service};
use std::{io::Cursor, net::SocketAddr};
use tiny_http::{Header, Response};

/// A bound replay server.
pub struct HttpServer {
	server: tiny_http::Server,
	service: Service,
}

impl HttpServer {
	/// Listens on `address` (`127.0.0.1:0` picks a free port).
	pub fn bind(address: &str, service: Service) -> Result<Self, String> {
		let server =
			tiny_http::Server::http(address).map_err(|error| format!("{address}: {error}"))?;
		Ok(Self { server, service })
	}

	/// The address actually listened on.
	pub fn local_addr(&self) -> Result<SocketAddr, String> {
		self.server.server_addr().to_ip().ok_or_else(|| "not listening on an IP address".into())
	}

	/// The request handler.
	pub fn service(&self) -> &Service {
		&self.service
	}

	/// Answers requests until [`stop`](Self::stop) is called.
	pub fn run(&self) {
		// Requests to hanging endpoints: held open until the server stops.
		let mut hanging = Vec::new();
		for mut request in self.server.incoming_requests() {
			let headers: Vec<(String, String)> = request
				.headers()
				.iter()
				.map(|header| (header.field.to_string(), header.value.to_string()))
				.collect();
			let mut body = Vec::new();
			if let Err(error) = request.as_reader().read_to_end(&mut body) {
				eprintln!("marketplace-replay: could not read a request body: {error}");
				continue;
			}
			let method = request.method().as_str().to_string();
			match self.service.handle(&method, request.url(), &headers, &body) {
				Answer::Hang => hanging.push(request),
				Answer::Send(reply) => {
					if let Err(error) = request.respond(response(reply)) {
						eprintln!("marketplace-replay: could not send a response: {error}");
					}
				},
			}
		}
	}

	/// Makes [`run`](Self::run) return (from another thread).
	pub fn stop(&self) {
		self.server.unblock();
	}
}

/// A reply as a `tiny_http` response with a JSON content type, always sent with a
/// `Content-Length` (never chunked), which the simplest clients can read.
fn response(reply: Reply) -> Response<Cursor<Vec<u8>>> {
	let response = Response::from_data(reply.body.into_bytes())
		.with_status_code(reply.status)
		.with_chunked_threshold(usize::MAX);
	match Header::from_bytes(&b"Content-Type"[..], &b"application/json"[..]) {
		Ok(header) => response.with_header(header),
		Err(()) => response,
	}
}

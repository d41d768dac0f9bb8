//! The WebSocket side: Socket Mode connections (ticket check, hello, frames both ways, polite
//! or abrupt closes) and the redelivery of envelopes that were not acked in time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use hyper::StatusCode;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request as WsRequest, Response as WsResponse};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::handle::Inner;
use super::state::{ConnCmd, PendingEvent};

/// How long a connection waits for the client's Close reply after sending its own Close.
pub(super) const CLOSE_HANDSHAKE_GRACE: Duration = Duration::from_secs(2);

pub(super) async fn ws_accept_loop(inner: Arc<Inner>, listener: TcpListener) {
    let mut shutdown = inner.shutdown.subscribe();
    let mut next_id: u64 = 0;
    loop {
        let accepted = tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            a = listener.accept() => a,
        };
        match accepted {
            Ok((stream, _)) => {
                next_id += 1;
                inner.spawn(ws_connection(inner.clone(), stream, next_id));
            }
            Err(e) => {
                eprintln!("slack stand-in: ws accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// One Socket Mode connection: handshake (ticket check), hello, then frames both ways.
pub(super) async fn ws_connection(inner: Arc<Inner>, stream: TcpStream, id: u64) {
    let check_inner = inner.clone();
    #[allow(clippy::result_large_err)] // the callback signature is tungstenite's
    let callback = move |req: &WsRequest, resp: WsResponse| -> Result<WsResponse, ErrorResponse> {
        let ticket =
            req.uri().query().unwrap_or_default().split('&').find_map(|p| p.strip_prefix("ticket=")).map(String::from);
        let valid = req.uri().path().trim_end_matches('/') == "/socket"
            && ticket.is_some_and(|t| check_inner.lock().internals.tickets.remove(&t));
        if valid {
            Ok(resp)
        } else {
            let mut r = ErrorResponse::new(Some("invalid or used ticket".into()));
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            Err(r)
        }
    };
    let ws = match tokio::time::timeout(Duration::from_secs(5), tokio_tungstenite::accept_hdr_async(stream, callback))
        .await
    {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            eprintln!("slack stand-in: websocket handshake {id} failed: {e}");
            return;
        }
        Err(_) => {
            eprintln!("slack stand-in: websocket handshake {id} timed out");
            return;
        }
    };
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    inner.register_connection(id, tx);
    let mut shutdown = inner.shutdown.subscribe();
    let mut close_at: Option<tokio::time::Instant> = None;
    let mut give_up_at: Option<tokio::time::Instant> = None;
    let far = || tokio::time::Instant::now() + Duration::from_secs(86_400);
    loop {
        tokio::select! {
            _ = until_shutdown(&mut shutdown), if give_up_at.is_none() => {
                let _ = sink.send(close_msg("server shutting down")).await;
                give_up_at = Some(tokio::time::Instant::now() + Duration::from_millis(300));
            }
            _ = tokio::time::sleep_until(close_at.unwrap_or_else(far)), if close_at.is_some() => {
                close_at = None;
                if let Err(e) = sink.send(close_msg("disconnect")).await {
                    eprintln!("slack stand-in: connection {id}: close failed: {e}");
                    break;
                }
                give_up_at = Some(tokio::time::Instant::now() + CLOSE_HANDSHAKE_GRACE);
            }
            _ = tokio::time::sleep_until(give_up_at.unwrap_or_else(far)), if give_up_at.is_some() => break,
            cmd = rx.recv() => match cmd {
                Some(ConnCmd::Text(t)) => {
                    if let Err(e) = sink.send(WsMessage::text(t)).await {
                        eprintln!("slack stand-in: connection {id}: send failed: {e}");
                        break;
                    }
                }
                Some(ConnCmd::Disconnect { frame, close_after }) => {
                    if let Err(e) = sink.send(WsMessage::text(frame)).await {
                        eprintln!("slack stand-in: connection {id}: send failed: {e}");
                        break;
                    }
                    if let Some(d) = close_after {
                        close_at = Some(tokio::time::Instant::now() + d);
                    }
                }
                Some(ConnCmd::Close) => {
                    if let Err(e) = sink.send(close_msg("closed by test")).await {
                        eprintln!("slack stand-in: connection {id}: close failed: {e}");
                        break;
                    }
                    give_up_at = Some(tokio::time::Instant::now() + CLOSE_HANDSHAKE_GRACE);
                }
                Some(ConnCmd::Drop) | None => break,
            },
            frame = stream.next() => match frame {
                Some(Ok(WsMessage::Text(t))) => inner.on_frame(id, t.as_str()),
                Some(Ok(WsMessage::Close(_))) | None => break,
                Some(Ok(_)) => {} // pings are answered by tungstenite; pongs and binary ignored
                Some(Err(e)) => {
                    eprintln!("slack stand-in: connection {id}: read failed: {e}");
                    break;
                }
            },
        }
    }
    inner.unregister_connection(id);
    // Dropping both halves closes the TCP stream.
}

/// Resolves once shutdown is signalled (or the signal's sender is gone).
pub(super) async fn until_shutdown(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

pub(super) fn close_msg(reason: &str) -> WsMessage {
    WsMessage::Close(Some(CloseFrame { code: CloseCode::Normal, reason: reason.to_string().into() }))
}

pub(super) async fn redelivery_loop(inner: Arc<Inner>) {
    let mut shutdown = inner.shutdown.subscribe();
    loop {
        let next = {
            let st = inner.lock();
            st.internals.pending.values().filter_map(|p| p.deadline).min()
        };
        let sleep_to = next
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            _ = until_shutdown(&mut shutdown) => return,
            _ = inner.redelivery.notified() => continue,
            _ = tokio::time::sleep_until(sleep_to) => {}
        }
        if !inner.config.auto_redeliver {
            // Clear deadlines so the loop does not spin; manual redeliver() still works.
            inner.mutate(|st| {
                for p in st.internals.pending.values_mut() {
                    p.deadline = None;
                }
            });
            continue;
        }
        let now = Instant::now();
        inner.mutate(|st| {
            let due: Vec<(String, PendingEvent)> = st
                .internals
                .pending
                .iter()
                .filter(|(_, p)| p.deadline.is_some_and(|d| d <= now))
                .map(|(k, p)| (k.clone(), p.clone()))
                .collect();
            for (event_id, p) in due {
                if p.retry_attempt >= inner.config.max_retries {
                    st.internals.pending.remove(&event_id);
                    st.expired_events.push(event_id);
                    continue;
                }
                if let Some(e) = st.internals.pending.get_mut(&event_id) {
                    e.deadline = None;
                }
                inner.events_envelope(st, &event_id, p.payload, p.retry_attempt + 1);
            }
        });
    }
}

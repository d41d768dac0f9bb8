//! Uploads into a thread, Slack's way: `files.getUploadURLExternal` (name and length), the bytes
//! posted to the URL it returns, then `files.completeUploadExternal` to share the file in the
//! channel's thread. Used by the Curve (PNG) and Export (xlsx) menu options.

use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

/// One file to share.
pub struct Upload {
    pub filename: String,
    pub title: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Why an upload failed (logged; the thread gets a short notice).
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("timed out")]
    Timeout,
    #[error("{0}")]
    Slack(#[from] SlackClientError),
}

/// Shares `file` in `channel`'s thread `thread_ts`, each step within `limit`.
pub async fn upload(
    session: &SlackClientSession<'_, SlackClientHyperHttpsConnector>,
    channel: &str,
    thread_ts: Option<&str>,
    file: Upload,
    limit: Duration,
) -> Result<(), UploadError> {
    let url_req = SlackApiFilesGetUploadUrlExternalRequest::new(file.filename.clone(), file.bytes.len());
    let target = within(limit, session.get_upload_url_external(&url_req)).await?;
    let put = SlackApiFilesUploadViaUrlRequest::new(target.upload_url, file.bytes, file.content_type.to_string());
    within(limit, session.files_upload_via_url(&put)).await?;
    let mut complete =
        SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(target.file_id).with_title(file.title)
        ])
        .with_channel_id(channel.to_string().into());
    if let Some(ts) = thread_ts {
        complete = complete.with_thread_ts(ts.to_string().into());
    }
    within(limit, session.files_complete_upload_external(&complete)).await?;
    Ok(())
}

/// One Web API call within `limit` (slack-morphism sets no time limit of its own).
async fn within<T>(
    limit: Duration,
    call: impl std::future::Future<Output = Result<T, SlackClientError>>,
) -> Result<T, UploadError> {
    Ok(tokio::time::timeout(limit, call).await.map_err(|_| UploadError::Timeout)??)
}

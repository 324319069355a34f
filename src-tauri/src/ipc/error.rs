//! The one error type that crosses the IPC boundary.

use serde::Serialize;
use specta::Type;

use regmail::drafts::template::TemplatesError;
use regmail::drafts::DraftError;
use regmail::smime::KeyError;
use regmail::smime_session::SessionError;
use regmail::sopp::triage::TriageError;
use regmail::{import, store};

/// The kinds of failure the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The message, task or other item asked for does not exist.
    NotFound,
    /// The request was invalid: a bad search query, answer or setting. The message says how to fix it.
    InvalidInput,
    /// An import is already running; wait for it to finish.
    Busy,
    /// A file could not be read or written.
    Io,
    /// Anything else; the log has the full cause.
    Internal,
}

/// A failed command: a code for the UI to branch on and a message to show.
#[derive(Debug, Clone, Serialize, Type)]
pub struct IpcError {
    /// The kind of failure.
    pub code: ErrorCode,
    /// What failed and what to do, for the user.
    pub message: String,
}

impl IpcError {
    /// Returns an error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> IpcError {
        IpcError {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn logged(code: ErrorCode, err: &dyn std::error::Error) -> IpcError {
        let mut chain = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(code = ?code, error = %chain, "command failed");
        IpcError::new(code, chain)
    }
}

impl std::fmt::Display for IpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<store::Error> for IpcError {
    fn from(err: store::Error) -> IpcError {
        let code = match &err {
            store::Error::MessageNotFound { .. }
            | store::Error::TaskNotFound { .. }
            | store::Error::MessageDeleted { .. } => ErrorCode::NotFound,
            store::Error::InvalidQuery { .. }
            | store::Error::TaskClosed { .. }
            | store::Error::ResolutionRequired { .. }
            | store::Error::InvalidResolution { .. }
            | store::Error::ResolutionNotAccepted { .. }
            | store::Error::TaskOutOfOrder { .. }
            | store::Error::UnconfirmedDecision { .. }
            | store::Error::InvalidSetting { .. } => ErrorCode::InvalidInput,
            store::Error::CreateDir { .. } | store::Error::Open { .. } => ErrorCode::Io,
            _ => ErrorCode::Internal,
        };
        IpcError::logged(code, &err)
    }
}

impl From<import::Error> for IpcError {
    fn from(err: import::Error) -> IpcError {
        match err {
            import::Error::Store(err) => err.into(),
            import::Error::Mailbox(err) => IpcError::logged(ErrorCode::Io, &err),
        }
    }
}

impl From<TriageError> for IpcError {
    fn from(err: TriageError) -> IpcError {
        match err {
            TriageError::Store(err) => err.into(),
            TriageError::Engine(ref engine) => {
                let code = match engine {
                    regmail::sopp::EngineError::Deadline { .. }
                    | regmail::sopp::EngineError::InconsistentTree { .. } => ErrorCode::Internal,
                    _ => ErrorCode::InvalidInput,
                };
                IpcError::logged(code, &err)
            }
            TriageError::Mail { .. } => IpcError::logged(ErrorCode::InvalidInput, &err),
            TriageError::CorruptImportTime { .. } => IpcError::logged(ErrorCode::Internal, &err),
            TriageError::Calendar { .. } => IpcError::logged(ErrorCode::Internal, &err),
        }
    }
}

impl From<SessionError> for IpcError {
    fn from(err: SessionError) -> IpcError {
        match err {
            SessionError::Store(err) => err.into(),
            SessionError::Triage { source, .. } => source.into(),
            // The core's text names the command-line option; the desktop has a field.
            SessionError::KeyFile {
                source: KeyError::PassphraseNeeded,
            } => IpcError::new(
                ErrorCode::InvalidInput,
                "the key file is encrypted; type its passphrase in the key file passphrase field",
            ),
            SessionError::CorruptKey { .. } => IpcError::logged(ErrorCode::Internal, &err),
            _ => IpcError::logged(ErrorCode::InvalidInput, &err),
        }
    }
}

impl From<DraftError> for IpcError {
    fn from(err: DraftError) -> IpcError {
        let code = match err {
            DraftError::Store(err) => return err.into(),
            DraftError::Triage(err) => return err.into(),
            DraftError::Templates(TemplatesError::ReadDir { .. })
            | DraftError::Exists { .. }
            | DraftError::Write { .. } => ErrorCode::Io,
            DraftError::Eml(_) => ErrorCode::Internal,
            DraftError::Templates(_)
            | DraftError::Render(_)
            | DraftError::Blocked { .. }
            | DraftError::InvalidAddresses { .. } => ErrorCode::InvalidInput,
        };
        IpcError::logged(code, &err)
    }
}

impl From<store::SettingError> for IpcError {
    fn from(err: store::SettingError) -> IpcError {
        match err {
            store::SettingError::Store(err) => err.into(),
            store::SettingError::Invalid(err) => IpcError::logged(ErrorCode::InvalidInput, &err),
        }
    }
}

impl From<regmail::calendar::Error> for IpcError {
    fn from(err: regmail::calendar::Error) -> IpcError {
        IpcError::logged(ErrorCode::InvalidInput, &err)
    }
}

impl From<regmail::sopp::DirectoryError> for IpcError {
    fn from(err: regmail::sopp::DirectoryError) -> IpcError {
        IpcError::logged(ErrorCode::InvalidInput, &err)
    }
}

impl From<std::io::Error> for IpcError {
    fn from(err: std::io::Error) -> IpcError {
        IpcError::logged(ErrorCode::Io, &err)
    }
}

/// The result type of every command.
pub type IpcResult<T> = Result<T, IpcError>;

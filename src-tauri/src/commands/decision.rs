//! The decision form.

use jiff::Timestamp;
use tauri::State;

use regmail::sopp::{triage, Answers, FactKey, Tree};

use crate::ipc::decision::{AnswerDto, DecisionDto};
use crate::ipc::tasks::{task_dtos, TaskDto};
use crate::ipc::{ErrorCode, IpcError, IpcResult};
use crate::state::{self, AppState};

/// Returns the decision for message `message_id` with the reviewer's `answers` on top of
/// the stored ones, without saving anything.
#[tauri::command]
#[specta::specta]
pub async fn preview_decision(
    state: State<'_, AppState>,
    message_id: i64,
    answers: Vec<AnswerDto>,
) -> IpcResult<DecisionDto> {
    let given = parse_answers(&answers)?;
    let store = state.store();
    let settings = triage::stored_settings(&store)?;
    let (outcome, _) = triage::preview(&store, message_id, &given, &settings)?;
    let calendar = state::calendar(&store)?;
    Ok(DecisionDto::new(&outcome, Tree::sopp_8119_v11(), &calendar))
}

/// Saves the decision for message `message_id` with `answers`, and returns its open tasks.
#[tauri::command]
#[specta::specta]
pub async fn save_decision(
    state: State<'_, AppState>,
    message_id: i64,
    answers: Vec<AnswerDto>,
) -> IpcResult<Vec<TaskDto>> {
    let given = parse_answers(&answers)?;
    let mut store = state.store();
    let user = state::load_settings(&store)?.user();
    let now = Timestamp::now();
    let settings = triage::stored_settings(&store)?;
    let result = triage::triage(&mut store, message_id, &given, &settings, &user, now)?;
    let calendar = state::calendar(&store)?;
    tracing::info!(message_id, disposition = %result.outcome.disposition, "decision saved");
    task_dtos(&store, result.saved.open_tasks, &calendar, now)
}

fn parse_answers(answers: &[AnswerDto]) -> IpcResult<Answers> {
    let mut parsed = Answers::new();
    for answer in answers {
        let key = FactKey::parse(&answer.key).ok_or_else(|| {
            IpcError::new(
                ErrorCode::InvalidInput,
                format!("unknown question {:?}", answer.key),
            )
        })?;
        parsed.set(key, &answer.value);
    }
    Ok(parsed)
}

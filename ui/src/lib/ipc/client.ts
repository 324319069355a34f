// The only module that talks to the backend. Components import from here, never from
// the generated bindings or @tauri-apps/api, so tests can replace this one module.
import { commands, events } from './bindings.gen';
import type {
  AlertDto,
  AnswerDto,
  AuditEntryDto,
  ClosureDto,
  DecisionDto,
  DirectoryEntryDto,
  DraftCheckDto,
  DraftEditDto,
  ErrorCode,
  FindingDto,
  ImportProgressDto,
  ImportReportDto,
  ImportStatusDto,
  InnerContentDto,
  IpcError,
  KeyImportDto,
  KeysDto,
  MessageDto,
  QueueFilterDto,
  QueueRowDto,
  ReasonDto,
  RecheckDto,
  RecordCopyDto,
  ReplyDto,
  RevocationDto,
  SettingsDto,
  SignerDto,
  SmimeDto,
  StoredKeyDto,
  TaskDto,
  TrustEntryDto,
  VerdictDto,
} from './bindings.gen';
import { open, save } from '@tauri-apps/plugin-dialog';
import { getCurrentWebview } from '@tauri-apps/api/webview';

export type {
  AlertDto,
  AnswerDto,
  AuditEntryDto,
  ClosureDto,
  DecisionDto,
  DirectoryEntryDto,
  DraftCheckDto,
  DraftEditDto,
  ErrorCode,
  FindingDto,
  ImportProgressDto,
  ImportReportDto,
  ImportStatusDto,
  InnerContentDto,
  KeyImportDto,
  KeysDto,
  MessageDto,
  QueueFilterDto,
  QueueRowDto,
  ReasonDto,
  RecheckDto,
  RecordCopyDto,
  ReplyDto,
  RevocationDto,
  SettingsDto,
  SignerDto,
  SmimeDto,
  StoredKeyDto,
  TaskDto,
  TrustEntryDto,
  VerdictDto,
};

/** A failed backend call, with the code the UI branches on. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
  }
}

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: IpcError };

async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (result.status === 'error') throw new BackendError(result.error);
  return result.data;
}

export type Unlisten = () => void;

export const backend = {
  startImport: (paths: string[]) => unwrap(commands.startImport(paths)),
  importStatus: () => unwrap(commands.importStatus()),
  queueOrder: (filter: QueueFilterDto) => unwrap(commands.queueOrder(filter)),
  queueRows: (ids: number[]) => unwrap(commands.queueRows(ids)),
  getMessage: (id: number) => unwrap(commands.getMessage(id)),
  saveAttachment: (messageId: number, index: number, path: string) =>
    unwrap(commands.saveAttachment(messageId, index, path)),
  openAttachment: (messageId: number, index: number) =>
    unwrap(commands.openAttachment(messageId, index)),
  previewDecision: (messageId: number, answers: AnswerDto[]) =>
    unwrap(commands.previewDecision(messageId, answers)),
  saveDecision: (messageId: number, answers: AnswerDto[]) =>
    unwrap(commands.saveDecision(messageId, answers)),
  openReply: (messageId: number, template: string | null) =>
    unwrap(commands.openReply(messageId, template)),
  checkReply: (messageId: number, template: string, edit: DraftEditDto) =>
    unwrap(commands.checkReply(messageId, template, edit)),
  exportReply: (messageId: number, template: string, edit: DraftEditDto, path: string) =>
    unwrap(commands.exportReply(messageId, template, edit, path)),
  listTasks: (includeClosed: boolean) => unwrap(commands.listTasks(includeClosed)),
  messageTasks: (messageId: number) => unwrap(commands.messageTasks(messageId)),
  completeTask: (taskId: number, note: string | null, resolution: string | null = null) =>
    unwrap(commands.completeTask(taskId, note, resolution)),
  messageAudit: (messageId: number) => unwrap(commands.messageAudit(messageId)),
  getSettings: () => unwrap(commands.getSettings()),
  saveSettings: (settings: SettingsDto) => unwrap(commands.saveSettings(settings)),
  listDirectory: () => unwrap(commands.listDirectory()),
  importDirectory: (path: string) => unwrap(commands.importDirectory(path)),
  saveDirectoryEntry: (entry: DirectoryEntryDto) => unwrap(commands.saveDirectoryEntry(entry)),
  listClosures: () => unwrap(commands.listClosures()),
  addClosure: (closure: ClosureDto) => unwrap(commands.addClosure(closure)),
  removeClosures: (date: string) => unwrap(commands.removeClosures(date)),
  listAlerts: () => unwrap(commands.listAlerts()),
  acknowledgeAlerts: (taskId: number | null) => unwrap(commands.acknowledgeAlerts(taskId)),
  messageSmime: (id: number) => unwrap(commands.messageSmime(id)),
  listKeys: () => unwrap(commands.listKeys()),
  importKey: (request: KeyImportDto) => unwrap(commands.importKey(request)),
  unlockKeys: (passphrase: string) => unwrap(commands.unlockKeys(passphrase)),
  lockKeys: () => unwrap(commands.lockKeys()),
  listTrust: () => unwrap(commands.listTrust()),
  addTrust: (path: string) => unwrap(commands.addTrust(path)),
  removeTrust: (fingerprint: string) => unwrap(commands.removeTrust(fingerprint)),
  recheckSmime: () => unwrap(commands.recheckSmime()),

  onImportProgress: (handler: (progress: ImportProgressDto) => void): Promise<Unlisten> =>
    events.importProgressEvent.listen((e) => handler(e.payload.progress)),
  onImportFinished: (
    handler: (report: ImportReportDto | null, error: string | null) => void,
  ): Promise<Unlisten> =>
    events.importFinishedEvent.listen((e) =>
      handler(e.payload.report, e.payload.error?.message ?? null),
    ),
  onAlerts: (handler: (alerts: AlertDto[], missed: boolean) => void): Promise<Unlisten> =>
    events.alertsFiredEvent.listen((e) => handler(e.payload.alerts, e.payload.missed)),
  onOpenTask: (handler: (taskId: number, messageId: number) => void): Promise<Unlisten> =>
    events.openTaskEvent.listen((e) => handler(e.payload.taskId, e.payload.messageId)),

  /** Calls `handler` with the paths of files and folders dropped on the window. */
  onDrop: (handler: (paths: string[]) => void): Promise<Unlisten> =>
    getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type === 'drop') handler(event.payload.paths);
    }),

  /** Asks for mailbox files (or, with `folders`, folders) to import. */
  chooseImportPaths: async (folders: boolean): Promise<string[]> => {
    const chosen = await open({ multiple: true, directory: folders, title: 'Choose mailboxes to import' });
    if (chosen === null) return [];
    return Array.isArray(chosen) ? chosen : [chosen];
  },
  chooseCsv: async (): Promise<string | null> => {
    const chosen = await open({
      multiple: false,
      directory: false,
      title: 'Choose the RPM directory CSV',
      filters: [{ name: 'CSV', extensions: ['csv'] }],
    });
    return typeof chosen === 'string' ? chosen : null;
  },
  /** Asks for the reviewer's key file: PKCS#12 or PEM. */
  chooseKeyFile: () =>
    chooseOne('Choose your S/MIME key file', [
      { name: 'PKCS#12 or PEM key', extensions: ['p12', 'pfx', 'pem', 'key'] },
    ]),
  /** Asks for a certificate file, for a PEM key file that has none. */
  chooseCertificateFile: () =>
    chooseOne('Choose the certificate of the key', [
      { name: 'Certificate', extensions: ['pem', 'crt', 'cer', 'der'] },
    ]),
  /** Asks for a trust anchor or CRL file. */
  chooseTrustFile: () =>
    chooseOne('Choose a trust anchor or CRL', [
      { name: 'Certificate or CRL', extensions: ['pem', 'crt', 'cer', 'der', 'p7b', 'p7c', 'crl'] },
    ]),
  chooseSavePath: (defaultName: string): Promise<string | null> =>
    save({ defaultPath: defaultName, title: 'Save attachment as' }),
  /** Asks where to export a draft; adds `.eml` when the chosen name lacks it. */
  chooseDraftPath: async (defaultName: string): Promise<string | null> => {
    const chosen = await save({
      defaultPath: defaultName,
      title: 'Export the draft as',
      filters: [{ name: 'Email message', extensions: ['eml'] }],
    });
    if (chosen === null) return null;
    return chosen.toLowerCase().endsWith('.eml') ? chosen : `${chosen}.eml`;
  },
};

async function chooseOne(
  title: string,
  filters: { name: string; extensions: string[] }[],
): Promise<string | null> {
  // "All files" comes last so that a key or certificate with another extension can still be chosen.
  const chosen = await open({
    multiple: false,
    directory: false,
    title,
    filters: [...filters, { name: 'All files', extensions: ['*'] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

export type Backend = typeof backend;

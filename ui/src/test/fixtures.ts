import type {
  DecisionDto,
  DraftCheckDto,
  FindingDto,
  MessageDto,
  QueueRowDto,
  RecordCopyDto,
  ReplyDto,
  SignerDto,
  SmimeDto,
  TaskDto,
} from '../lib/ipc/client';

export function queueRow(id: number, overrides: Partial<QueueRowDto> = {}): QueueRowDto {
  return {
    id,
    from: 'Dana Sponsor <dana@sponsor.example>',
    subject: `STN 125742/${id} amendment`,
    receivedAtEt: 'Tue 2025-03-11 10:00 EDT (-04:00)',
    status: 'parsed',
    deleted: null,
    identifiers: [`STN 125742/${id}`],
    regulatory: null,
    disposition: null,
    nextTask: null,
    dueAt: '2025-03-12T16:30:00-04:00',
    dueAtEt: 'Wed 2025-03-12 16:30 EDT (-04:00)',
    dueProjected: true,
    duePolicy: 'close',
    businessSecondsLeft: 3 * 3600,
    ...overrides,
  };
}

export function decision(disposition: string, regulatoryAnswer: string): DecisionDto {
  return {
    sopp: 'SOPP 8119 v11',
    regulatory: regulatoryAnswer === 'yes',
    identifiers: ['STN 125742/0'],
    receivedAtEt: 'Tue 2025-03-11 10:00 EDT (-04:00)',
    steps: [
      {
        key: 'regulatory',
        question: 'Is this a regulatory email?',
        section: 'IV.G',
        quote: 'A regulatory email is one that …',
        answer: regulatoryAnswer,
        label: regulatoryAnswer === 'yes' ? 'Regulatory' : 'Not regulatory',
        source: 'inferred',
        inferred: 'yes',
        evidence: ['the subject names STN 125742/0'],
        certain: false,
        choices: [
          { value: 'yes', label: 'Regulatory' },
          { value: 'no', label: 'Not regulatory' },
        ],
      },
    ],
    disposition,
    section: 'VII.A.3',
    redirect: null,
    rpms: [],
    tasks:
      disposition === 'accept'
        ? [
            {
              kind: 'forward-to-rpm',
              title: 'Forward the email to the RPM',
              role: 'reviewer',
              section: 'VI.C.6',
              quote: '…',
              dueAt: '2025-03-12T16:30:00-04:00',
              dueAtEt: 'Wed 2025-03-12 16:30 EDT (-04:00)',
              explanation: ['Received during business hours.'],
            },
          ]
        : [],
    openQuestions: ['regulatory'],
  };
}

export function task(id: number, overrides: Partial<TaskDto> = {}): TaskDto {
  return {
    id,
    messageId: 1,
    subject: 'STN 125742/0 amendment',
    kind: 'forward-to-rpm',
    title: 'Forward the email to the RPM',
    role: 'reviewer',
    section: 'VI.C.6',
    dueAt: '2025-03-12T16:30:00-04:00',
    dueAtEt: 'Wed 2025-03-12 16:30 EDT (-04:00)',
    policy: 'close',
    businessSecondsLeft: -3600,
    status: 'open',
    closedAt: null,
    closedBy: null,
    note: null,
    resolutions: [],
    resolution: null,
    resolutionLabel: null,
    waitingFor: [],
    ...overrides,
  };
}

/** The decisions of a record-unreadable-resolution task (SOPP 8119 VII.A.1). */
export const unreadableResolutions = [
  { value: 'resend', label: 'The sponsor resends the email' },
  { value: 'reject', label: 'The email is rejected' },
  { value: 'refer-to-dcc', label: 'The email is referred to DCC' },
  { value: 'other-format', label: 'The sponsor submits it in another format' },
];

export function message(id: number, overrides: Partial<MessageDto> = {}): MessageDto {
  return {
    id,
    messageId: `<m${id}@sponsor.example>`,
    from: 'Dana Sponsor <dana@sponsor.example>',
    to: ['Dana Whitfield <dana.whitfield@fda.hhs.gov>'],
    cc: [],
    subject: 'STN 125742/0 amendment',
    date: '2025-03-11T09:58:00-04:00',
    receivedAt: '2025-03-11T14:00:00Z',
    receivedAtEt: 'Tue 2025-03-11 10:00 EDT (-04:00)',
    receivedSource: 'received-header',
    status: 'parsed',
    deleted: null,
    quarantineReason: null,
    bodyText: 'Please find the amendment attached.',
    html: null,
    attachments: [],
    warnings: [],
    identifiers: [],
    ...overrides,
  };
}

/** A message whose stored copy was deleted under SOPP 8119 V.B.2.a.iii. */
export function deletedMessage(id: number): MessageDto {
  return message(id, {
    messageId: null,
    from: null,
    to: [],
    subject: null,
    date: null,
    receivedAt: null,
    receivedAtEt: null,
    receivedSource: null,
    status: 'deleted',
    deleted: {
      deletedAt: '2025-03-05T17:00:00Z',
      deletedAtEt: 'Wed 2025-03-05 12:00 EST (-05:00)',
      deletedBy: 'dana.whitfield@fda.hhs.gov',
      taskId: 12,
      section: 'V.B.2.a.iii',
    },
    bodyText: '',
  });
}

/** Returns the S/MIME result of a signed message from a trusted signer. */
export function smimeResult(overrides: Partial<SmimeDto> = {}): SmimeDto {
  return {
    verdict: 'verified',
    signed: true,
    encrypted: false,
    decrypted: false,
    weakAlgorithm: false,
    signers: [signer()],
    reasons: [],
    health: [],
    encryptionAlgorithm: null,
    openedWith: null,
    checkedAt: '2026-12-04T23:00:00Z',
    inner: null,
    ...overrides,
  };
}

/** Returns the finding of a reply that does not copy the RPM (SOPP 8119 VII.B.1). */
export function rpmFinding(): FindingDto {
  return {
    rule: 'rpm-cc',
    severity: 'blocking',
    section: 'VII.B.1',
    value: 'marcus.ortega@fda.hhs.gov',
    message: 'the RPM of STN 125742/0, Marcus Ortega <marcus.ortega@fda.hhs.gov>, is not copied',
    fix: 'add marcus.ortega@fda.hhs.gov to Cc',
  };
}

/** Returns a warning about a recipient outside the sponsor's domains (SOPP 8119 VI.C.2). */
export function sponsorDomainFinding(): FindingDto {
  return {
    rule: 'sponsor-domain',
    severity: 'warning',
    section: 'VI.C.2',
    value: 'priya@acmebio-mail.example',
    message: 'priya@acmebio-mail.example is not at a domain on file for the sponsor of STN 125742/0',
    fix: 'check the address against the sponsor\'s domains: acmebio.example',
  };
}

export function draftCheck(findings: FindingDto[] = []): DraftCheckDto {
  const blocking = findings.filter((f) => f.severity === 'blocking').length;
  return { findings, blocking, warnings: findings.length - blocking, invalidAddresses: [] };
}

/** Returns the reply to the rpm-missing message from the include-rpm template, clean as drafted. */
export function reply(messageId: number, overrides: Partial<ReplyDto> = {}): ReplyDto {
  return {
    messageId,
    templates: [
      {
        name: 'include-rpm',
        version: 2,
        section: 'VI.C.6',
        description: 'Remind the sponsor to include the RPM on all emails about the submission.',
        origin: 'built-in',
      },
      {
        name: 'secure-email-setup',
        version: 1,
        section: 'VI.C.3',
        description: 'Send the Appendix A instructions for setting up secure email.',
        origin: 'built-in',
      },
    ],
    suggested: ['include-rpm'],
    disposition: 'accept',
    dispositionSection: 'VII.A.3',
    openQuestions: [],
    exceptions: [
      { value: 'individual-patient-ind', section: 'V.A.1.a.i', label: 'requests for individual patient INDs' },
      { value: 'general-information', section: 'V.A.1.a.iv', label: 'responses to requests for general information' },
    ],
    draft: {
      template: 'include-rpm',
      from: 'Dana Whitfield <dana.whitfield@fda.hhs.gov>',
      stn: 'STN 125742/0',
      edit: {
        to: 'Priya Raman <priya.raman@acmebio.example>',
        cc: 'Marcus Ortega <marcus.ortega@fda.hhs.gov>',
        subject: 'STN 125742/0 - Please include the Regulatory Project Manager: Updated stability data',
        body: 'Dear Priya Raman,\n\nPlease include Marcus Ortega on all future emails.\n',
        exception: null,
        communication: 'email',
        transBla: false,
        bundled: false,
        related: '',
      },
      check: draftCheck(),
    },
    ...overrides,
  };
}

/** Returns a signer whose signature is intact and trusted, with revocation not checked. */
export function signer(overrides: Partial<SignerDto> = {}): SignerDto {
  return {
    address: 'alice@example.com',
    subject: 'CN=Alice Example, emailAddress=alice@example.com',
    issuer: 'CN=Example Test Root CA, O=Example Test PKI',
    intact: true,
    trusted: true,
    validAtSigning: true,
    validNow: true,
    revocation: { state: 'not-checked', why: 'no CRL of the issuer is in the trust store or the message' },
    addressMatchesFrom: true,
    signingTime: '2026-12-04T19:20:00Z',
    algorithm: 'rsa-pkcs1v15 with sha256',
    reasons: [],
    ...overrides,
  };
}

export function recordCopy(id: number): RecordCopyDto {
  return {
    id,
    path: '/home/dana/reply-STN-125742-0.eml',
    sha256: 'a3f1'.repeat(16),
    size: 1834,
    communicationType: 'email',
    exception: null,
    warnings: [],
    createdAt: '2025-03-11T15:00:00Z',
  };
}

import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { task, unreadableResolutions } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({ completeTask: vi.fn() }));
vi.mock('../lib/ipc/client', () => ({ backend }));

import TaskList from './TaskList.svelte';

const recordDecision = task(7, {
  kind: 'record-unreadable-resolution',
  title: 'Record whether the email is to be resent, rejected, referred to DCC, or submitted in another format',
  section: 'VII.A.1',
  dueAt: null,
  dueAtEt: null,
  policy: null,
  businessSecondsLeft: null,
  resolutions: unreadableResolutions,
});

const deleteAfterContact = task(12, {
  kind: 'delete-after-contact',
  title: 'Delete the email from the mailbox once the sponsor has been contacted',
  section: 'V.B.2.a.iii',
  dueAt: null,
  dueAtEt: null,
  policy: null,
  businessSecondsLeft: null,
  waitingFor: [
    {
      kind: 'acknowledge-and-redirect',
      title: 'Acknowledge receipt by telecon or secure email',
      taskId: 11,
    },
  ],
});

describe('TaskList', () => {
  beforeEach(() => {
    backend.completeTask.mockReset();
  });

  it('shows the due time and how long overdue', () => {
    render(TaskList, { tasks: [task(3)], oncompleted: () => {} });

    expect(screen.getByTestId('task-due')).toHaveTextContent('Wed 2025-03-12 16:30 EDT');
    expect(screen.getByText(/overdue by 1 h/)).toBeInTheDocument();
    expect(screen.getByTestId('task-due').closest('p')).toHaveTextContent(
      'Due Wed 2025-03-12 16:30 EDT (-04:00) (close of business) · overdue by 1 h',
    );
  });

  it('shows the deadline policy of each due time', () => {
    render(TaskList, {
      tasks: [task(3), task(4, { policy: 'elapsed' }), task(5, { dueAt: null, dueAtEt: null, policy: null })],
      oncompleted: () => {},
    });

    const policies = screen.getAllByTestId('task-policy').map((p) => p.textContent);
    expect(policies).toEqual(['(close of business)', '(8 h 30 min elapsed)']);
  });

  it('completes a task with its note', async () => {
    backend.completeTask.mockResolvedValue(task(3, { status: 'done' }));
    const oncompleted = vi.fn();
    render(TaskList, { tasks: [task(3)], oncompleted });

    await userEvent.type(screen.getByLabelText('Completion note'), 'Forwarded to the RPM');
    await userEvent.click(screen.getByRole('button', { name: 'Complete task' }));

    expect(backend.completeTask).toHaveBeenCalledWith(3, 'Forwarded to the RPM', null);
    await waitFor(() => expect(oncompleted).toHaveBeenCalled());
  });

  it('requires the decision of a task that records one', async () => {
    backend.completeTask.mockResolvedValue(task(7, { status: 'done' }));
    const oncompleted = vi.fn();
    render(TaskList, { tasks: [recordDecision], oncompleted });

    const select = screen.getByLabelText('Decision reached (required)');
    expect(select).toBeRequired();
    const labels = within(select).getAllByRole('option').map((o) => o.textContent);
    expect(labels).toEqual([
      'Choose the decision…',
      'The sponsor resends the email',
      'The email is rejected',
      'The email is referred to DCC',
      'The sponsor submits it in another format',
    ]);
    const button = screen.getByRole('button', { name: 'Complete task' });
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription(/Choose the decision reached before completing this task/);

    await userEvent.selectOptions(select, 'refer-to-dcc');
    expect(button).toBeEnabled();
    expect(screen.queryByTestId('task-blocked')).not.toBeInTheDocument();
    await userEvent.click(button);

    expect(backend.completeTask).toHaveBeenCalledWith(7, null, 'refer-to-dcc');
    await waitFor(() => expect(oncompleted).toHaveBeenCalled());
  });

  it('shows the decision recorded on a done task', () => {
    const done = {
      ...recordDecision,
      status: 'done',
      resolution: 'refer-to-dcc',
      resolutionLabel: 'The email is referred to DCC',
      closedBy: 'dana.whitfield@fda.hhs.gov',
      closedAt: '2025-03-14T15:00:00Z',
    };
    render(TaskList, { tasks: [done], oncompleted: () => {} });

    expect(screen.getByTestId('task-resolution')).toHaveTextContent('Decision: The email is referred to DCC');
    expect(screen.queryByLabelText('Decision reached (required)')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Complete task' })).not.toBeInTheDocument();
  });

  it('explains why a task must wait for another', () => {
    render(TaskList, { tasks: [deleteAfterContact], oncompleted: () => {} });

    const button = screen.getByRole('button', { name: 'Complete task' });
    expect(button).toBeDisabled();
    expect(screen.getByTestId('task-blocked')).toHaveTextContent(
      'Waiting for task 11, "Acknowledge receipt by telecon or secure email". Complete that first (SOPP 8119 V.B.2.a.iii).',
    );
    expect(button).toHaveAccessibleDescription(/Waiting for task 11/);
  });

  it('shows the error when completion is rejected', async () => {
    backend.completeTask.mockRejectedValue(new Error('task 3 is already done; only open tasks can be completed'));
    render(TaskList, { tasks: [task(3)], oncompleted: () => {} });

    await userEvent.click(screen.getByRole('button', { name: 'Complete task' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('task 3 is already done');
  });

  it('has no serious accessibility violations', async () => {
    const { container } = render(TaskList, {
      tasks: [
        task(3),
        task(4, { status: 'done', note: 'done' }),
        recordDecision,
        deleteAfterContact,
        { ...recordDecision, id: 8, status: 'done', resolution: 'resend', resolutionLabel: 'The sponsor resends the email' },
      ],
      oncompleted: () => {},
    });

    expect(await seriousViolations(container)).toEqual([]);
  });
});

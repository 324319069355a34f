import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { task } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({ completeTask: vi.fn() }));
vi.mock('../lib/ipc/client', () => ({ backend }));

import TaskList from './TaskList.svelte';

describe('TaskList', () => {
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

    expect(backend.completeTask).toHaveBeenCalledWith(3, 'Forwarded to the RPM');
    await waitFor(() => expect(oncompleted).toHaveBeenCalled());
  });

  it('has no serious accessibility violations', async () => {
    const { container } = render(TaskList, { tasks: [task(3), task(4, { status: 'done', note: 'done' })], oncompleted: () => {} });

    expect(await seriousViolations(container)).toEqual([]);
  });
});

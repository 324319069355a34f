import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decision } from '../test/fixtures';
import { seriousViolations } from '../test/axe';

const backend = vi.hoisted(() => ({
  previewDecision: vi.fn(),
  saveDecision: vi.fn(),
}));
vi.mock('../lib/ipc/client', () => ({ backend }));

import DecisionForm from './DecisionForm.svelte';

describe('DecisionForm', () => {
  beforeEach(() => {
    backend.previewDecision.mockReset();
    backend.saveDecision.mockReset();
    backend.previewDecision.mockImplementation(async (_id: number, answers: { key: string; value: string }[]) => {
      const regulatory = answers.find((a) => a.key === 'regulatory')?.value ?? 'yes';
      return regulatory === 'yes' ? decision('accept', 'yes') : decision('not-regulatory', 'no');
    });
    backend.saveDecision.mockResolvedValue([]);
  });

  it('shows the inferred answer, evidence, SOPP text and tasks', async () => {
    render(DecisionForm, { messageId: 1, onsaved: () => {} });

    expect(await screen.findByTestId('disposition')).toHaveTextContent('Accept');
    expect(screen.getByText('the subject names STN 125742/0')).toBeInTheDocument();
    expect(screen.getByText('A regulatory email is one that …')).toBeInTheDocument();
    expect(screen.getByText('SOPP 8119 IV.G')).toBeInTheDocument();
    expect(screen.getByTestId('decision-due')).toHaveTextContent('Wed 2025-03-12 16:30 EDT');
    expect(screen.getByRole('radio', { name: 'Regulatory' })).toBeChecked();
  });

  it('updates the disposition live when an answer changes', async () => {
    render(DecisionForm, { messageId: 1, onsaved: () => {} });
    await screen.findByText('Forward the email to the RPM');

    await userEvent.click(screen.getByRole('radio', { name: 'Not regulatory' }));

    await waitFor(() => expect(screen.getByTestId('disposition')).toHaveTextContent('Not regulatory'));
    expect(backend.previewDecision).toHaveBeenLastCalledWith(1, [{ key: 'regulatory', value: 'no' }]);
    expect(screen.getByText('No tasks.')).toBeInTheDocument();
  });

  it('saves the given answers', async () => {
    const onsaved = vi.fn();
    render(DecisionForm, { messageId: 7, onsaved });
    await screen.findByText('Forward the email to the RPM');

    await userEvent.click(screen.getByRole('radio', { name: 'Not regulatory' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save decision' }));

    expect(backend.saveDecision).toHaveBeenCalledWith(7, [{ key: 'regulatory', value: 'no' }]);
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(screen.getByRole('status')).toHaveTextContent('Decision saved. 0 open tasks.');
  });

  it('shows a backend error', async () => {
    backend.previewDecision.mockRejectedValue(new Error('message 1 was quarantined on import'));
    render(DecisionForm, { messageId: 1, onsaved: () => {} });

    expect(await screen.findByRole('alert')).toHaveTextContent('quarantined');
  });

  it('has no serious accessibility violations', async () => {
    const { container } = render(DecisionForm, { messageId: 1, onsaved: () => {} });
    await screen.findByText('Forward the email to the RPM');

    expect(await seriousViolations(container)).toEqual([]);
  });
});

/** The states of an incident, in their usual order. */
export enum IncidentState {
  Detected = 'detected',
  Assessing = 'assessing',
  Confirmed = 'confirmed',
  Notifying = 'notifying',
  Monitoring = 'monitoring',
  Closed = 'closed',
  Dismissed = 'dismissed',
}

/**
 * Allowed moves. Dismissal is possible only before a breach is confirmed; a dismissed incident can be
 * reopened for assessment when new evidence appears; monitoring can go back to notifying for a
 * supplementary notice; closed is final (open a new incident that refers to it).
 */
export const TRANSITIONS: Record<IncidentState, readonly IncidentState[]> = {
  [IncidentState.Detected]: [IncidentState.Assessing, IncidentState.Dismissed],
  [IncidentState.Assessing]: [IncidentState.Confirmed, IncidentState.Dismissed],
  [IncidentState.Confirmed]: [IncidentState.Notifying, IncidentState.Monitoring],
  [IncidentState.Notifying]: [IncidentState.Monitoring],
  [IncidentState.Monitoring]: [IncidentState.Notifying, IncidentState.Closed],
  [IncidentState.Closed]: [],
  [IncidentState.Dismissed]: [IncidentState.Assessing],
};

export function allowedTransitions(from: IncidentState): readonly IncidentState[] {
  return TRANSITIONS[from];
}

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return TRANSITIONS[from].includes(to);
}

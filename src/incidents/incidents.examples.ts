import type { CreateIncidentDto, TransitionDto, UpdateIncidentDto } from './incidents.dto.js';
import { IncidentState } from './incident.lifecycle.js';

// The incident routes' request examples, for /docs (see common/openapi-examples.ts): one incident's
// story, its dates in order and in the past.

export const CREATE_INCIDENT_EXAMPLE = {
  title: 'Object storage bucket exposed',
  description:
    'A misconfigured storage bucket made uploaded photos and account email addresses readable by anyone.',
  nature: ['confidentiality'],
  cause: 'A storage bucket was made public by a configuration change.',
  cyberAttack: false,
  howDiscovered: 'A security researcher reported it.',
  occurredFrom: '2026-11-01T08:00:00Z',
  occurredTo: '2026-11-03T17:30:00Z',
  discoveredAt: '2026-11-04T09:15:00Z',
  containedAt: '2026-11-04T12:00:00Z',
  systems: ['media-store'],
  dataCategories: ['camera_data', 'personal_identifiers'],
  encrypted: false,
  approximateRecords: 120000,
  likelyConsequences: 'Emails that pretend to come from us and ask for your password.',
  measuresTaken: 'We made the bucket private and rotated its access keys.',
  measuresPlanned: 'We now check every storage configuration before it is deployed.',
  adviceToIndividuals: 'Be wary of emails asking for your password; we never ask for it.',
  remedies: 'A support line and a year of identity monitoring, free of charge.',
  location: 'Our cloud storage in Frankfurt, Germany',
  language: 'en',
  chronology: [
    {
      at: '2026-11-04T09:15:00Z',
      kind: 'detection',
      text: 'A security researcher reported the open bucket.',
    },
  ],
  translations: {
    de: {
      description: 'Ein falsch konfigurierter Speicher machte Fotos und E-Mail-Adressen öffentlich lesbar.',
    },
  },
  riskLevel: 'high',
  riskReasoning: 'Photos and email addresses of many people were readable by anyone for three days.',
} satisfies CreateIncidentDto;

export const UPDATE_INCIDENT_EXAMPLE = {
  riskLevel: 'high',
  riskReasoning: 'Photos and email addresses of many people were readable by anyone for three days.',
  containedAt: '2026-11-04T12:00:00Z',
} satisfies UpdateIncidentDto;

export const TRANSITION_EXAMPLE = {
  to: IncidentState.Assessing,
  note: 'Triage started: the bucket is closed, its access log is being read.',
} satisfies TransitionDto;

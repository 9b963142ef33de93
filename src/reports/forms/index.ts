import type { ReportForm } from '../../jurisdictions/rules/rule.types.js';
import { appiPpc } from './appi-ppc.js';
import { auOaic } from './au-oaic.js';
import { caiQc } from './cai-qc.js';
import { certIn } from './cert-in.js';
import type { FormBuilder } from './common.js';
import { dpdpBoard } from './dpdp-board.js';
import { gdprArt33 } from './gdpr-art33.js';
import { ico } from './ico.js';
import { lgpdAnpd } from './lgpd-anpd.js';
import { pdpaPdpc } from './pdpa-pdpc.js';
import { pipaPipc } from './pipa-pipc.js';
import { pipeda } from './pipeda.js';
import { piplCac } from './pipl-cac.js';
import { usStateAg } from './us-state-ag.js';

/** One builder per form: a Record over ReportForm, so a new form does not compile until it has one. */
export const FORM_BUILDERS: Readonly<Record<ReportForm, FormBuilder>> = {
  'gdpr-art33': gdprArt33,
  ico,
  'us-state-ag': usStateAg,
  pipeda,
  'lgpd-anpd': lgpdAnpd,
  'pipl-cac': piplCac,
  'pdpa-pdpc': pdpaPdpc,
  'au-oaic': auOaic,
  'appi-ppc': appiPpc,
  'pipa-pipc': pipaPipc,
  'dpdp-board': dpdpBoard,
  'cai-qc': caiQc,
  'cert-in': certIn,
};

/**
 * The HTTP contract: what the API and the Zendesk app's endpoints answer, as zod schemas with their
 * inferred types. The routes check their answers against them (`satisfies`), the Zendesk app
 * imports the types (`import type` from `@standing/contracts`, so zod stays out of its bundle),
 * and `npm run openapi` writes them into connector/http/openapi.yaml as component schemas.
 */
import type { z } from 'zod';
import * as admin from './admin.ts';
import * as alerts from './alerts.ts';
import * as audit from './audit.ts';
import * as common from './common.ts';
import * as compliance from './compliance.ts';
import * as history from './history.ts';
import * as insights from './insights.ts';
import * as operations from './operations.ts';
import * as verify from './verify.ts';
import * as workplace from './workplace.ts';

export * from './admin.ts';
export * from './alerts.ts';
export * from './audit.ts';
export * from './common.ts';
export * from './compliance.ts';
export * from './history.ts';
export * from './insights.ts';
export * from './operations.ts';
export * from './verify.ts';
export * from './workplace.ts';

/**
 * The schemas the OpenAPI document names (`#/components/schemas/<name>`); a schema used by
 * another is written there as a `$ref`. Names are the OpenAPI document's, for its clients' sake.
 */
export const OPENAPI_COMPONENTS: Readonly<Record<string, z.ZodType>> = {
  Error: common.ErrorBody,
  FieldProblem: common.FieldProblem,
  TenantId: common.TenantId,
  SalesforceId: common.SalesforceId,
  AccountStatus: common.AccountStatus,
  Instant: common.Instant,
  Actor: history.Actor,
  CurrentStanding: history.CurrentStanding,
  AccountIdentities: history.AccountIdentities,
  StandingEvent: history.StandingEvent,
  StandingWarning: history.StandingWarning,
  HistoryAccount: history.HistoryAccount,
  HistoryPage: history.HistoryPage,
  SidebarTicket: history.SidebarTicket,
  SidebarPage: history.SidebarPage,
  MappingVersion: admin.MappingVersion,
  CurrentMapping: admin.CurrentMapping,
  MappingVersions: admin.MappingVersions,
  MappingPreviewRow: admin.MappingPreviewRow,
  MappingPreview: admin.MappingPreview,
  QuarantinedEvent: admin.QuarantinedEvent,
  QuarantinePage: admin.QuarantinePage,
  InboxPage: admin.InboxPage,
  ReplayResult: admin.ReplayResult,
  ReconciliationRun: admin.ReconciliationRun,
  ReconciliationRunsPage: admin.ReconciliationRunsPage,
  AppReconciliationRuns: admin.AppReconciliationRuns,
  WarningSettings: admin.WarningSettings,
  Readiness: operations.Readiness,
  TenantView: operations.TenantView,
  TenantList: operations.TenantList,
  ApiKey: operations.ApiKey,
  CreatedApiKey: operations.CreatedApiKey,
  ApiKeyList: operations.ApiKeyList,
  WebhookAck: operations.WebhookAck,
  SalesforceSettingsView: operations.SalesforceSettingsView,
  AuditRow: audit.AuditRow,
  AccessAuditPage: audit.AccessAuditPage,
  KeyRecord: audit.KeyRecord,
  KeyRecordsPage: audit.KeyRecordsPage,
  SplunkTarget: compliance.SplunkTarget,
  LogglyTarget: compliance.LogglyTarget,
  AlertChannels: alerts.AlertChannels,
  AlertDelivery: alerts.AlertDelivery,
  AlertDeliveriesPage: alerts.AlertDeliveriesPage,
  AlertTestResult: alerts.AlertTestResult,
  ErasureResult: compliance.ErasureResult,
  ChangeCounts: insights.ChangeCounts,
  Distribution: insights.Distribution,
  WarningCounts: insights.WarningCounts,
  InsightFigures: insights.InsightFigures,
  InsightsBucket: insights.InsightsBucket,
  Insights: insights.Insights,
  InsightCustomer: insights.InsightCustomer,
  InsightCustomers: insights.InsightCustomers,
  ChainBreak: verify.ChainBreak,
  LogVerifyReport: verify.LogVerifyReport,
  AuditVerifyReport: verify.AuditVerifyReport,
  ActionResult: workplace.ActionResult,
  ActionOptions: workplace.ActionOptions,
};

/** The parts of the ZAF SDK (zendesk_app_framework_sdk 2.0, no types of its own) this app uses. */
declare module 'zendesk_app_framework_sdk' {
  import type { ZafClient } from './app/lib/zaf-client';
  const ZAFClient: { init(callback?: (context: unknown) => void): ZafClient | false };
  export default ZAFClient;
}

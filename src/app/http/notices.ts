// Messages shown after a form succeeds (post/redirect/get): the URL names one, never carries its text.
const notices = {
  welcome: 'Your organisation is set up. Connect your accounting system so Shortfall can watch your invoices.',
  connected: 'Connected. The first sync has started; cases appear here as short payments and disputes are found.',
  connect_cancelled: 'Nothing was connected.',
  disconnected: 'Disconnected. Shortfall no longer reads from or writes to that account.',
  sandbox_reset:
    'The sandbox starts over: its companies are seeded afresh and every sandbox connection is disconnected. Connect again to walk the demo from the start.',
  stripe_key_saved: 'Stripe key saved. The first sync has started.',
  objection_registered: "The client's reply is registered on the case.",
  objection_decided: 'Your decision is recorded. Shortfall is drafting the letter for your approval.',
  deadline_extended: 'The deadline is extended.',
  case_closed: 'The case is closed.',
  draft_decided: 'Your decision on the draft is recorded.',
  document_uploaded: 'The document is added to the case.',
  arrangement_recorded:
    'The arrangement is recorded. Shortfall opens no case while the client keeps to it; a missed instalment opens one for what is overdue.',
  arrangement_removed: 'The arrangement is removed. The next sync treats the invoice like any other.',
  case_arranged:
    'The arrangement is recorded and the case is closed. A missed instalment opens it again for what is overdue.',
  settings_saved:
    'Settings saved. New cases start with them now; open cases take them once they are reached (the line below says how many have). Letters already sent and deadlines already set do not change.',
  invitation_sent: 'Invitation sent. The link in it works once, for 7 days.',
  invitation_revoked: 'Invitation withdrawn: its link no longer works.',
  member_removed: 'Teammate removed. They were signed out everywhere and can no longer open Shortfall.',
  role_changed: 'Role changed. It applies from their next click.',
  sync_started: 'Sync started. Progress shows below.',
  sync_running: 'A sync is already running for that connection; it was not started twice. Progress shows below.',
  tolerances_saved: 'Tolerances saved. The next sync uses them.',
  payment_saved: 'Saved. Clients see it when the invoice has no payment page of its own.',
  pack_requested:
    'The small-claims evidence pack is being built with the documents the case holds now; it appears under Documents and you get an email.',
} as const;

export type NoticeKey = keyof typeof notices;

export const noticeText = (key: unknown): string | undefined =>
  typeof key === 'string' && Object.hasOwn(notices, key) ? notices[key as NoticeKey] : undefined;

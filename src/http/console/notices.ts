/** What an action's redirect says on the next page (`?done=`): fixed texts, so a link cannot put words on a console page. */
export const NOTICES: Readonly<Record<string, string>> = {
  blocked: 'Blocked. The address gets normal-looking replies with no effect from now on; the action is recorded.',
  extended: 'The block is extended; the action is recorded.',
  lifted: 'The block is lifted; the action is recorded.',
  'rule-on': 'The rule is switched on for this instance; the change is recorded.',
  'rule-off': 'The rule is switched off for this instance; the change is recorded.',
};

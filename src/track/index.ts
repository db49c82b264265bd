/**
 * `hush/track`: report account events from another Node app to hush.
 *
 *   import { createTracker } from 'hush/track';
 *   const track = createTracker({ endpoint: 'https://id.example.com', apiKey: process.env.HUSH_API_KEY! });
 *   track.loginFailure({ login: email, exists: user !== null, ip: req.ip, userAgent: req.get('user-agent') });
 */
import { Tracker } from './tracker.js';
import type { TrackerOptions } from './tracker.js';

export { Tracker } from './tracker.js';
export type { TrackerOptions, TrackerStats, TrackUser } from './tracker.js';

export function createTracker(options: TrackerOptions): Tracker {
  return new Tracker(options);
}

/**
 * How a follower's server is served, by the software its NodeInfo names. The evidence for each entry,
 * read in that software's source, is in FEDERATION.md ("Servers that do not show events").
 */
export interface ServerProfile {
  /**
   * `event`: the FEP-8a8e `Event`. `note`: an equivalent `Note` (name, summary line, link, image), for
   * servers that drop an `Event` or show it without its name and with the summary as a content warning.
   */
  readonly form: "event" | "note";
  /** Whether it gets the change notes that say what changed (servers that show an Event's Update do not need them). */
  readonly changeNotes: boolean;
  /** Whether it understands a `Reject` of a follow it was accepted for (otherwise it is not sent). */
  readonly understandsReject: boolean;
  /**
   * Whether it takes a `Create(Article)` (calls to action) and boosts of objects it does not host;
   * otherwise neither is sent (Gancio answers 404 to both).
   */
  readonly articles: boolean;
}

const usual: ServerProfile = { form: "event", changeNotes: true, understandsReject: true, articles: true };

const bySoftware: Readonly<Record<string, Partial<ServerProfile>>> = {
  // Drops an Event (debug "Unsupported object on Create"), shows Notes.
  hollo: { form: "note" },
  // Keep an Event as a post: its text from `content`, `summary` as a content warning, no name.
  misskey: { form: "note" },
  sharkey: { form: "note" },
  gotosocial: { form: "note" },
  // Takes Notes only (with an image), never an Event.
  pixelfed: { form: "note" },
  // Applies Update(Event); leaves a Note unanswered (comments off) and answers Reject with an error;
  // answers 404 to Create(Article) and to an Announce of an object it does not host (federation/ego.js).
  gancio: { changeNotes: false, understandsReject: false, articles: false },
};

/** The profile of a server running `software` (NodeInfo's `software.name`); unknown software: the usual one. */
export function profileFor(software: string | null | undefined): ServerProfile {
  const known = software ? bySoftware[software.toLowerCase()] : undefined;
  return known ? { ...usual, ...known } : usual;
}

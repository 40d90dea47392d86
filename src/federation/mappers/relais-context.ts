/**
 * Relais's own JSON-LD terms (calls to action, co-signatures, co-organised events), decided once:
 * term names end up in signed bytes (FEP-8b32 proofs are made over the JSON as sent), so none is ever
 * renamed. Every document that uses one carries this context inline (nothing is fetched); the same
 * context is served by every instance (paths.namespace, FEDERATION.md, "Calls to action").
 */
export const relaisNamespace = "https://w3id.org/relais/ns#";

const id = (term: string) => ({ "@id": `relais:${term}`, "@type": "@id" });
const vocab = (term: string) => ({ "@id": `relais:${term}`, "@type": "@vocab" });

export const relaisContext = {
  relais: relaisNamespace,
  xsd: "http://www.w3.org/2001/XMLSchema#",
  sc: "http://schema.org/",
  gts: "https://gotosocial.org/ns#",
  // Types.
  CallVersion: "relais:CallVersion",
  Demand: "relais:Demand",
  CosignRequest: "relais:CosignRequest",
  CosignAuthorization: "relais:CosignAuthorization",
  CoorganizeRequest: "relais:CoorganizeRequest",
  CoorganizeAuthorization: "relais:CoorganizeAuthorization",
  PartnerEntry: "relais:PartnerEntry",
  // A call.
  callStatus: vocab("callStatus"),
  Consultation: "relais:Consultation",
  Open: "relais:Open",
  Closed: "relais:Closed",
  Withdrawn: "relais:Withdrawn",
  version: { "@id": "relais:version", "@type": "xsd:integer" },
  versions: id("versions"),
  currentVersion: id("currentVersion"),
  versionOf: id("versionOf"),
  demands: { "@id": "relais:demands", "@container": "@list" },
  deadline: { "@id": "relais:deadline", "@type": "xsd:dateTime" },
  launchAt: { "@id": "relais:launchAt", "@type": "xsd:dateTime" },
  relatedEvents: id("relatedEvents"),
  authoritativeLanguages: "relais:authoritativeLanguages",
  textDigests: "relais:textDigests",
  inLanguage: "sc:inLanguage",
  digestMultibase: { "@id": "https://w3id.org/security#digestMultibase", "@type": "https://w3id.org/security#multibase" },
  // Partners and their stamps.
  signatories: id("signatories"),
  pendingSignatories: id("pendingSignatories"),
  coorganizers: id("coorganizers"),
  endorsements: id("endorsements"),
  signedText: id("signedText"),
  partner: id("partner"),
  authorization: id("authorization"),
  entryState: vocab("entryState"),
  Current: "relais:Current",
  PendingReconfirmation: "relais:PendingReconfirmation",
  canCosign: id("canCosign"),
  canCoorganize: id("canCoorganize"),
  // Translations offered by partners (later: the data is shaped for them).
  translations: id("translations"),
  translationOf: id("translationOf"),
  basedOnVersion: { "@id": "relais:basedOnVersion", "@type": "xsd:integer" },
  // Change notes.
  changeOf: id("changeOf"),
  changeKind: vocab("changeKind"),
  NewPartners: "relais:NewPartners",
  TextChanged: "relais:TextChanged",
  DeadlineChanged: "relais:DeadlineChanged",
  EventChanged: "relais:EventChanged",
  // Borrowed: interaction policies (GoToSocial, FEP-044f) and quotes as Mastodon, Misskey and Fedibird read them.
  interactionPolicy: { "@id": "gts:interactionPolicy", "@type": "@id" },
  canQuote: { "@id": "gts:canQuote", "@type": "@id" },
  automaticApproval: { "@id": "gts:automaticApproval", "@type": "@id" },
  manualApproval: { "@id": "gts:manualApproval", "@type": "@id" },
  interactingObject: { "@id": "gts:interactingObject", "@type": "@id" },
  interactionTarget: { "@id": "gts:interactionTarget", "@type": "@id" },
  quote: { "@id": "https://w3id.org/fep/044f#quote", "@type": "@id" },
  quoteUrl: "as:quoteUrl",
  _misskey_quote: "https://misskey-hub.net/ns#_misskey_quote",
  quoteUri: "http://fedibird.com/ns#quoteUri",
} as const;

/** The document every instance serves (paths.namespace). */
export const relaisContextDocument = { "@context": relaisContext } as const;

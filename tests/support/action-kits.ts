// A realistic action kit for tests: a GDPR Art. 15 access request to a French CAF, in French and English,
// with a required name, address and file number, an optional date and free text.

export const cafAccessRequest = {
  title: { fr: "Demander à la CAF vos données et votre score de risque", en: "Ask the CAF for your data and your risk score" },
  explanation: {
    fr: "La CAF attribue à chaque allocataire un score de risque calculé par un algorithme.\n\nCe kit vous aide à demander vos données personnelles et la logique de ce score.",
    en: "The CAF gives every claimant a risk score computed by an algorithm.\n\nThis kit helps you ask for your personal data and the logic of that score.",
  },
  country: "fr",
  institution: { fr: "Caisse d'allocations familiales (CAF)", en: "Family allowance fund (CAF)" },
  legalBasis: { fr: "RGPD, articles 15 et 22", en: "GDPR, Articles 15 and 22" },
  steps: [
    { fr: "Remplissez la lettre et imprimez-la.", en: "Fill in the letter and print it." },
    { fr: "Envoyez-la en recommandé avec accusé de réception au délégué à la protection des données de votre CAF.", en: "Send it by registered mail to your CAF's data protection officer." },
    { fr: "La CAF doit répondre dans un délai d'un mois.", en: "The CAF must answer within one month." },
  ],
  fields: [
    { name: "name", label: { fr: "Nom et prénom", en: "Full name" }, kind: "text", required: true },
    { name: "address", label: { fr: "Adresse", en: "Address" }, kind: "multiline", required: true },
    { name: "file_number", label: { fr: "Numéro d'allocataire", en: "Claimant number" }, kind: "text", required: true, hint: { fr: "Sur vos courriers de la CAF", en: "On your letters from the CAF" } },
    { name: "date", label: { fr: "Date", en: "Date" }, kind: "date", required: false },
    { name: "details", label: { fr: "Précisions", en: "Details" }, kind: "multiline", required: false },
  ],
  letters: [
    {
      key: "access-request",
      title: { fr: "Demande d'accès (article 15 du RGPD)", en: "Access request (GDPR Article 15)" },
      body: {
        fr: "{{name}}\n{{address}}\n\nÀ l'attention du délégué à la protection des données\n\nLe {{date}}\n\nObjet : demande d'accès à mes données personnelles (article 15 du RGPD)\nNuméro d'allocataire : {{file_number}}\n\nMadame, Monsieur,\n\nJe vous demande de me communiquer l'ensemble des données me concernant, ainsi que mon score de risque et la logique sous-jacente de ce traitement automatisé (articles 15 et 22 du RGPD).\n\n{{details}}\n\nVeuillez agréer mes salutations distinguées.\n\n{{name}}",
        en: "{{name}}\n{{address}}\n\nTo the data protection officer\n\n{{date}}\n\nRe: access to my personal data (GDPR Article 15)\nClaimant number: {{file_number}}\n\nDear Sir or Madam,\n\nPlease send me all the data you hold about me, my risk score and the logic of that automated processing (GDPR Articles 15 and 22).\n\n{{details}}\n\nYours faithfully,\n\n{{name}}",
      },
    },
  ],
};

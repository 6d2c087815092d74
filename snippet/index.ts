// Placeholder until the snippet lands (issue: consent-aware tracking snippet).
export {};

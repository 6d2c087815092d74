// Placeholder until the widget lands (issue: lead-magnet widget).
export {};

"""API reports and the breaking-change gate: what each regeneration changes for users."""

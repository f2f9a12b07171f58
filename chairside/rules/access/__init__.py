"""Patient access rules: referral and prior-authorization states, member IDs, and what a
patient-assistance program pays."""

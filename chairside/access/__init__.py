"""Patient access, the first step of the work: referrals and orders (``access.referrals``),
benefits, prior authorizations, cost estimates and assistance programs
(``access.authorizations``). One context, served under /referrals/ and /access/ with the
``access.edit`` permission; two Django apps inside it keep their labels (``referrals``,
``authorizations``), so their tables and migration history stay as they were."""

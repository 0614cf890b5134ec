"""The Pyomo model, its objectives, HiGHS, and re-solving one built model for many draws. The only layer that imports Pyomo or highspy."""

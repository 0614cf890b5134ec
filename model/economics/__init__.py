"""What a deal does: exact responses to tariff options, the named metrics, and the independent check of every constraint. No Pyomo."""

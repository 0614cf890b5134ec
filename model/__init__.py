"""Trade-negotiation optimization model: which concessions minimize a bilateral deficit.

Data flows one way: instance file -> validated `Instance` -> tariff-option responses
-> Pyomo model -> solution -> verified `Results` -> report.
"""

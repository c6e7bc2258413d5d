"""`CohereResponder`, through the REAL `cohere` SDK against the loopback server in
`tests/adapters/cohere_wire` (it speaks Cohere's v2 wire format; the real API is unreachable here). Nothing
in the SDK is mocked: every test sends a real HTTP request and parses the server's real (shape-checked)
response.

What is proved: the request carries our help-center articles (ids "article:<id>") as data and never another
customer's resolved ticket (those come back in `similar_tickets`, for the agent), a system prompt with the
customer's context, the rules and what the message is about (the focus: product names and where they came
from, a name the help center does not know, or the ticket's product line), the earlier turns as messages, a
low temperature and one HTTP request only (SDK retries off); citations map back to our sources (only cited
documents, [n] markers, a "Sources:" list); a question which product the customer means is returned as a
clarifying reply; refusals, uncited, cut-off and poorly cited answers abstain; HTTP errors split into
`CohereUnavailable` and `CohereRequestError`; an injected instruction in a document stays document data and
changes nothing.
"""

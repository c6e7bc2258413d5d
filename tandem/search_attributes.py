"""Search attributes every ticket workflow carries, so operators can filter runs in the Temporal UI.

Only ids and coarse state: no names, emails or message text (no PII beyond ids).
"""

from temporalio.common import SearchAttributeKey

TICKET_ID = SearchAttributeKey.for_keyword("TicketId")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
PRODUCT = SearchAttributeKey.for_keyword("Product")
STATUS = SearchAttributeKey.for_keyword("Status")
ESCALATED = SearchAttributeKey.for_bool("Escalated")
PRIORITY = SearchAttributeKey.for_int("Priority")
WAITING_SINCE = SearchAttributeKey.for_datetime("WaitingSince")  # when it last started waiting for a person
CATEGORY = SearchAttributeKey.for_keyword("Category")  # predicted from the first message

ALL = (TICKET_ID, CUSTOMER_ID, PRODUCT, STATUS, ESCALATED, PRIORITY, WAITING_SINCE, CATEGORY)

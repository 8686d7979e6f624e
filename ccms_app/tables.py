"""Every table of CCMS on SQLModel.metadata: Alembic and the test database import this.

Each product module keeps its tables in its own models.py; importing them all here is what
lets `alembic revision --autogenerate` and the migration check see the whole schema.
"""

from ccms_app.accounts import models as accounts_models
from ccms_app.analytics import models as analytics_models
from ccms_app.branding import models as branding_models
from ccms_app.charging import models as charging_models
from ccms_app.control import models as control_models
from ccms_app.driver_app import models as driver_app_models
from ccms_app.drivers import models as drivers_models
from ccms_app.finance import models as finance_models
from ccms_app.finance.memberships import models as membership_models
from ccms_app.finance.partners import models as partner_models
from ccms_app.finance.payments import models as payment_models
from ccms_app.finance.wallets import models as wallet_models
from ccms_app.load_balancing import models as load_balancing_models
from ccms_app.maintenance.alarms import models as alarm_models
from ccms_app.maintenance.reports import models as uptime_models
from ccms_app.maintenance.work_orders import models as work_order_models
from ccms_app.network import models as network_models
from ccms_app.system import models as system_models
from ccms_app.webhooks import models as webhooks_models

MODEL_MODULES = (
    accounts_models,
    network_models,
    charging_models,
    control_models,
    drivers_models,
    driver_app_models,
    finance_models,
    wallet_models,
    payment_models,
    membership_models,
    partner_models,
    alarm_models,
    work_order_models,
    uptime_models,
    load_balancing_models,
    analytics_models,
    branding_models,
    webhooks_models,
    system_models,
)

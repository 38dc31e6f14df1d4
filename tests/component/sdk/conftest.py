# TEMPORARY shim (to be removed): trade_a_day(addresses, pki_dir=...) until the real change lands.
import functools

import cqx_local.demo as demo
import cqx_local.demo_session as ds
from cqx_local.demo_clients import DemoClients

_orig = ds.trade_a_day


async def _shim(addresses=None, pki_dir=None):
    saved = ds.DemoClients
    ds.DemoClients = functools.partial(DemoClients, pki_dir=pki_dir) if pki_dir else DemoClients
    try:
        return await _orig(addresses)
    finally:
        ds.DemoClients = saved


demo.trade_a_day = _shim

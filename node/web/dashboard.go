package web

import "net/http"

// dashboardRoutes adds the operator's orders, settlement and amendment
// pages. The members, charter and merchants pages and the event stream
// are in routes.
func (wb *Web) dashboardRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator/orders", wb.asOperator(wb.operatorOrders))
	mux.HandleFunc("GET /operator/settlement", wb.asOperator(wb.operatorSettlement))
	mux.HandleFunc("GET /operator/settlement/{period}", wb.asOperator(wb.operatorPeriod))
	mux.HandleFunc("GET /operator/settlement/{period}/netting.csv", wb.asOperator(wb.nettingCSV))
	mux.HandleFunc("POST /operator/charter/proposals", wb.asOperator(wb.proposeAmendment))
	mux.HandleFunc("POST /operator/charter/proposals/{digest}/sign", wb.asOperator(wb.signAmendment))
}

# The SQL layers (see README.md): catalog, binder, planner, execution, and the engine entry.
list(APPEND ENGINE_SOURCES
  sql/errors.cc sql/sql_engine.cc
  sql/catalog/catalog.cc sql/catalog/row_codec.cc sql/catalog/system_views.cc sql/catalog/information_schema.cc sql/catalog/view_definition.cc
  sql/binder/expr.cc sql/binder/bind_expr.cc sql/binder/bind_function.cc sql/binder/bind_array.cc sql/binder/bind_scalar_function.cc sql/binder/bind_select.cc sql/binder/bind_window.cc sql/binder/bind_cte.cc sql/binder/bind_view.cc
  sql/planner/planner.cc sql/planner/estimate.cc
  sql/execution/eval.cc sql/execution/functions.cc sql/execution/array_functions.cc sql/execution/more_functions.cc sql/execution/catalog_functions.cc sql/execution/scan.cc sql/execution/operators.cc
  sql/execution/aggregate.cc sql/execution/window.cc sql/execution/select.cc sql/execution/dml.cc sql/execution/ddl.cc sql/execution/views.cc sql/execution/foreign_keys.cc
  sql/execution/copy.cc sql/execution/roles.cc sql/execution/vacuum.cc)

MenuGroup(My Menu){
    MenuItem(Interface, sys-interface)
    MenuItem(Dahsboard, dashboard_default)
}
MenuItem(Title:Roles, Page:@1roles_list, Icon:"icon-pie-chart")